#!/usr/bin/perl
# expo.pl -- check a Prometheus text exposition (version 0.0.4) and the
# metric names a Grafana dashboard uses.
#
# Usage: expo.pl SCRAPE [DASHBOARD.json]
# Prints one "ERR ..." line per problem, then "samples N families N",
# then, with a dashboard, "dashboard exprs N names N" and one "MISSING
# name" line per metric the dashboard uses that the scrape lacks.
# Checks: every sample belongs to a family announced by one # HELP and
# one # TYPE line (counter, gauge, histogram, summary, untyped) before
# its samples, families are not split, sample names and label sets are
# well-formed and not repeated, values are numbers; counters end in
# _total; histograms have cumulative buckets ending in le="+Inf" equal
# to _count, and a _sum.
#
# SPDX-License-Identifier: BSD-2-Clause
use strict;
use warnings;
use JSON::PP;

my ($scrape, $dash) = @ARGV;
open(my $fh, '<', $scrape) or die "expo.pl: $scrape: $!\n";
my (%help, %type, %seen_series, %names, %done, %hist);
my ($cur, $nsamples) = ('', 0);
my $NAME = qr/[a-zA-Z_:][a-zA-Z0-9_:]*/;
my $NUM = qr/[-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN)/;
sub err { print "ERR line $.: @_\n"; }
sub family_of {
	my ($n) = @_;
	return $n if exists $type{$n};
	for my $s ('_bucket', '_sum', '_count') {
		next unless $n =~ /^(.*)\Q$s\E$/;
		my $f = $1;
		return $f if exists $type{$f}
		    && $type{$f} =~ /^(?:histogram|summary)$/;
	}
	return undef;
}
while (my $l = <$fh>) {
	chomp $l;
	next if $l eq '';
	if ($l =~ /^# HELP ($NAME) (.*)$/) {
		my ($n, $h) = ($1, $2);
		err("second HELP for $n") if exists $help{$n};
		err("family $n split") if $done{$n};
		$help{$n} = $h;
		$done{$cur} = 1 if $cur ne '' && $cur ne $n;
		$cur = $n;
		next;
	}
	if ($l =~ /^# TYPE ($NAME) (\S+)$/) {
		my ($n, $t) = ($1, $2);
		err("second TYPE for $n") if exists $type{$n};
		err("TYPE $n without HELP first") unless exists $help{$n};
		err("bad type $t for $n")
		    unless $t =~ /^(counter|gauge|histogram|summary|untyped)$/;
		err("counter $n does not end in _total")
		    if $t eq 'counter' && $n !~ /_total$/;
		$type{$n} = $t;
		next;
	}
	next if $l =~ /^#/;
	unless ($l =~ /^($NAME)(\{(.*)\})? ($NUM)(?: -?[0-9]+)?$/) {
		err("not a sample: $l");
		next;
	}
	my ($name, $labels, $value) = ($1, defined $3 ? $3 : '', $4);
	$nsamples++;
	$names{$name} = 1;
	my $fam = family_of($name);
	if (!defined $fam) {
		err("sample $name has no HELP/TYPE family");
		next;
	}
	err("sample $name outside its family $fam block") if $fam ne $cur;
	my $rest = $labels;
	my %lab;
	while ($rest ne '') {
		if ($rest =~ s/^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)//) {
			err("label $1 twice in $name") if exists $lab{$1};
			$lab{$1} = $2;
		} else {
			err("bad labels {$labels} of $name");
			last;
		}
	}
	my $key = $name . '{' . join(',', map { "$_=$lab{$_}" } sort keys %lab) . '}';
	err("series $key twice") if $seen_series{$key}++;
	if ($type{$fam} eq 'histogram') {
		my $base = join(',', map { "$_=$lab{$_}" } sort grep { $_ ne 'le' } keys %lab);
		my $h = $hist{"$fam\{$base\}"} ||= { last => -1, inf => undef };
		if ($name eq "${fam}_bucket") {
			err("bucket of $fam without le") unless exists $lab{le};
			err("buckets of $fam not cumulative") if $value < $h->{last};
			$h->{last} = $value;
			$h->{inf} = $value if ($lab{le} // '') eq '+Inf';
		} elsif ($name eq "${fam}_count") {
			$h->{count} = $value;
		} elsif ($name eq "${fam}_sum") {
			$h->{sum} = $value;
		}
	}
}
for my $k (sort keys %hist) {
	my $h = $hist{$k};
	print "ERR histogram $k: no le=\"+Inf\" bucket\n" unless defined $h->{inf};
	print "ERR histogram $k: no _count\n" unless defined $h->{count};
	print "ERR histogram $k: no _sum\n" unless defined $h->{sum};
	print "ERR histogram $k: +Inf bucket != _count\n"
	    if defined $h->{inf} && defined $h->{count} && $h->{inf} != $h->{count};
}
for my $f (sort keys %help) {
	print "ERR family $f has HELP but no TYPE\n" unless exists $type{$f};
}
printf "samples %d families %d\n", $nsamples, scalar keys %type;

exit 0 unless defined $dash;
open(my $dh, '<', $dash) or die "expo.pl: $dash: $!\n";
my $json = do { local $/; <$dh> };
my $d = JSON::PP->new->decode($json);
my (@exprs, %used, %ids);
sub walk {
	my ($n) = @_;
	if (ref $n eq 'HASH') {
		push @exprs, $n->{expr} if exists $n->{expr} && !ref $n->{expr};
		if (exists $n->{gridPos} && exists $n->{id}) {
			print "ERR dashboard: panel id $n->{id} twice\n" if $ids{$n->{id}}++;
		}
		walk($n->{$_}) for keys %$n;
	} elsif (ref $n eq 'ARRAY') {
		walk($_) for @$n;
	}
}
walk($d);
for my $e (@exprs) {
	(my $s = $e) =~ s/"(?:[^"\\]|\\.)*"//g;	# label values
	$used{$1} = 1 while $s =~ /\b(muster_[a-zA-Z0-9_:]*)/g;
}
printf "dashboard exprs %d names %d\n", scalar @exprs, scalar keys %used;
print "MISSING $_\n" for grep { !$names{$_} } sort keys %used;
