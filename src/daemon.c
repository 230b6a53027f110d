/*
 * daemon.c -- going to the background, and saying how the start went.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* The starting process: wait for the daemon's word, exit with it. */
static void
daemon_wait(int fd, const char *prog)
{
	char msg[1100];
	ssize_t n, got = 0;

	while ((n = read(fd, msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = '\0';
	if (strcmp(msg, "ok") == 0)
		_exit(0);
	fprintf(stderr, "%s: %s\n", prog, got > 0 ? msg
	    : "the daemon exited while starting (see the log)");
	_exit(1);
}

int
daemon_background(const char *prog)
{
	int fds[2], fd;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		fatal("pipe");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		close(fds[1]);
		daemon_wait(fds[0], prog);
	}
	close(fds[0]);
	if (setsid() < 0)
		fatal("setsid");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return fds[1];
}

void
daemon_report(int *fd, const char *msg)
{
	if (*fd < 0)
		return;
	if (write(*fd, msg, strlen(msg)) < 0) {
		/* the starter is gone: nobody to tell */
	}
	close(*fd);
	*fd = -1;
}

void
daemon_pidfile(const char *path)
{
	FILE *fp;

	if (path == NULL)
		return;
	fp = fopen(path, "w");
	if (fp == NULL) {
		log_warn("pidfile, cannot write %s", path);
		return;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
}
