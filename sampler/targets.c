/* SPDX-License-Identifier: MIT */
/*
 * sampler/targets.c - the processes to record: listed pids and threads,
 * every process (-a) or a cgroup's, and the launched command.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

/* ---- targets ----------------------------------------------------------- */

void
sampler_add_cmdline(struct sampler *s, pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n, i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	if (s->cmdlines.len)
		strbuf_addstr(&s->cmdlines, "; ");
	strbuf_addstr(&s->cmdlines, buf);
}

static int
pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

void
sampler_watch_pid(struct sampler *s, pid_t pid)
{
	s->pids = xreallocarray(s->pids, s->npids + 1, sizeof(*s->pids));
	s->pidfds = xreallocarray(s->pidfds, s->npids + 1, sizeof(*s->pidfds));
	s->pids[s->npids] = pid;
	s->pidfds[s->npids] = pidfd_open_compat(pid);
	if (s->pidfds[s->npids] >= 0)
		fcntl(s->pidfds[s->npids], F_SETFD, FD_CLOEXEC);
	s->npids++;
}

/* The Tgid of task id (/proc/ID is there for every thread, listed or
 * not): -2 when there is no such task, -1 when it has none. */
static long
sampler_tgid(pid_t id)
{
	char path[64], line[256];
	long tgid = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)id);
	fp = fopen(path, "re");
	if (!fp)
		return -2;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(fp);
	return tgid;
}

/* Check that pid names a process we can attach to. */
int
sampler_check_pid(pid_t pid, struct scorch_err *err)
{
	long tgid;

	if (pid <= 0) {
		err_set(err, "pid %d: not a valid process id", (int)pid);
		return -EINVAL;
	}
	tgid = sampler_tgid(pid);
	if (tgid == -2) {
		err_set(err, "pid %d: no such process", (int)pid);
		return -ESRCH;
	}
	if (tgid > 0 && tgid != pid) {
		err_set(err,
			"pid %d: is a thread of process %ld; use -p %ld, or "
			"--tid %d for the thread alone",
			(int)pid, tgid, tgid, (int)pid);
		return -EINVAL;
	}
	if (pid == getpid()) {
		err_set(err, "pid %d: is scorch itself", (int)pid);
		return -EINVAL;
	}
	return 0;
}

/*
 * Start the command stopped at a pipe, so events can be opened on it before
 * it runs a single instruction of its own. *go is the write end that lets it
 * continue; *status_fd reports an exec failure (EOF means exec worked).
 */
pid_t
sampler_fork_command(char *const *argv, int *go, int *status_fd,
		     struct scorch_err *err)
{
	int gopipe[2], errpipe[2];
	pid_t pid;

	if (pipe2(gopipe, O_CLOEXEC) < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
		err_set(err, "%s: cannot start: %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		err_set(err, "%s: cannot start: %s", argv[0], strerror(errno));
		close(gopipe[0]);
		close(gopipe[1]);
		close(errpipe[0]);
		close(errpipe[1]);
		return -1;
	}
	if (pid == 0) {
		char c;
		int e;

		close(gopipe[1]);
		close(errpipe[0]);
		if (read(gopipe[0], &c, 1) != 1)
			_exit(127); /* scorch gave up before starting us */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		e = errno;
		if (write(errpipe[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(gopipe[0]);
	close(errpipe[1]);
	*go = gopipe[1];
	*status_fd = errpipe[0];
	return pid;
}

/* True once every listed target (and the command) has exited. */
bool
sampler_targets_gone(struct sampler *s, struct pollfd *pfd, size_t base)
{
	size_t i, alive = 0;

	for (i = 0; i < s->npids; i++) {
		if (s->pidfds[i] >= 0 && pfd &&
		    (pfd[base + i].revents & (POLLIN | POLLHUP))) {
			close(s->pidfds[i]);
			s->pidfds[i] = -2;
		}
		if (s->pidfds[i] == -1 && kill(s->pids[i], 0) < 0 &&
		    errno == ESRCH)
			s->pidfds[i] = -2; /* no pidfd: polled by kill() */
		if (s->pidfds[i] != -2)
			alive++;
	}
	return s->npids > 0 && alive == 0;
}

/* A process every task of which is a target: its names and maps now. */
static void
sampler_load_target(struct sampler *s, pid_t pid)
{
	int ret;

	task_table_set_state(s->tasks, pid, TASK_TARGET);
	task_table_load_proc(s->tasks, pid);
	ret = map_set_load_proc(s->maps, s->mods, pid);
	if (ret < 0 && ret != -ENOENT && !s->stats.nomaps_pid) {
		s->stats.nomaps_pid = pid;
		s->stats.nomaps_errno = -ret;
	}
}

bool
sampler_all_seen_are_targets(const struct sampler *s)
{
	return s->scope == SCOPE_THREAD || s->opts.system_wide ||
	       s->opts.cgroup;
}

void
sampler_adopt(struct sampler *s, pid_t pid)
{
	if (s->opts.system_wide || s->opts.cgroup)
		sampler_load_target(s, pid); /* it ran before we saw it */
	else
		task_table_set_state(s->tasks, pid, TASK_TARGET);
}

bool
sampler_tid_wanted(const struct sampler *s, pid_t tid)
{
	size_t i;

	if (!s->opts.ntids)
		return true;
	for (i = 0; i < s->opts.ntids; i++)
		if (s->opts.tids[i] == tid)
			return true;
	return false;
}

/* The process of thread tid (its Tgid), or -1 with err set. */
static pid_t
sampler_check_tid(pid_t tid, struct scorch_err *err)
{
	long tgid;

	if (tid <= 0) {
		err_set(err, "tid %d: not a valid thread id", (int)tid);
		return -1;
	}
	tgid = sampler_tgid(tid);
	if (tgid <= 0) {
		err_set(err, "tid %d: no such thread", (int)tid);
		return -1;
	}
	if (tgid == getpid()) {
		err_set(err, "tid %d: is a thread of scorch itself", (int)tid);
		return -1;
	}
	return (pid_t)tgid;
}

/*
 * The cgroup v2 directory of --cgroup PATH: PATH itself when it is an
 * absolute directory, else PATH under the cgroup2 mount (/proc/mounts).
 */
static int
sampler_cgroup_check(const char *path, const char *dir, struct scorch_err *err)
{
	struct statfs fs;
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(err, "--cgroup %s: no such cgroup (%s is no directory)",
			path, dir);
		return -ENOENT;
	}
	if (statfs(dir, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
		err_set(err, "--cgroup %s: %s is not a cgroup v2 directory",
			path, dir);
		return -ENOENT;
	}
	return 0;
}

int
sampler_cgroup_dir(const char *path, char *buf, size_t size,
		   struct scorch_err *err)
{
	char line[1024], mnt[512] = "", type[64];
	const char *rel = path;
	FILE *fp;

	if (path[0] == '/' && access(path, F_OK) == 0) {
		snprintf(buf, size, "%s", path);
		return sampler_cgroup_check(path, buf, err);
	}
	fp = fopen("/proc/mounts", "re");
	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "%*s %511s %63s", mnt, type) == 2 &&
		    !strcmp(type, "cgroup2"))
			break;
		else
			mnt[0] = '\0';
	if (fp)
		fclose(fp);
	if (!mnt[0]) {
		err_set(err, "--cgroup %s: no cgroup v2 hierarchy is mounted",
			path);
		return -ENOENT;
	}
	while (*rel == '/')
		rel++;
	if ((size_t)snprintf(buf, size, "%s/%s", mnt, rel) >= size) {
		err_set(err, "--cgroup %s: path too long", path);
		return -ENOENT;
	}
	return sampler_cgroup_check(path, buf, err);
}

/* Every process now in the cgroup (cgroup.procs), or all of /proc. */
static int
sampler_load_existing(struct sampler *s, struct scorch_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	long v;

	if (s->opts.system_wide) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d))) {
			v = strtol(de->d_name, NULL, 10);
			if (v > 0 && v != getpid())
				sampler_load_target(s, (pid_t)v);
		}
		if (d)
			closedir(d);
		return 0;
	}
	if (sampler_cgroup_dir(s->opts.cgroup, dir, sizeof(dir), err) < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	{
		FILE *fp = fopen(path, "re");

		while (fp && fscanf(fp, "%ld", &v) == 1)
			if (v > 0 && v != getpid())
				sampler_load_target(s, (pid_t)v);
		if (fp)
			fclose(fp);
	}
	return 0;
}

/* --tid: each thread checked, its process's names, maps and command. */
static int
sampler_add_tids(struct sampler *s, struct scorch_err *err)
{
	size_t i;

	for (i = 0; i < s->opts.ntids; i++) {
		pid_t tid = s->opts.tids[i], pid = sampler_check_tid(tid, err);

		if (pid < 0)
			return -EINVAL;
		if (task_table_state(s->tasks, pid) != TASK_TARGET) {
			sampler_load_target(s, pid);
			sampler_add_cmdline(s, pid);
		}
		sampler_watch_pid(s, tid); /* no pidfd: polled by kill() */
	}
	return 0;
}

/*
 * The listed pids and threads (checked, their names, maps and command
 * lines read), every process of the system or of the cgroup, and the
 * command, started stopped before its exec (sampler_start_child()).
 */
int
sampler_add_targets(struct sampler *s, struct scorch_err *err)
{
	const struct record_opts *opts = &s->opts;
	size_t i;

	for (i = 0; i < opts->npids; i++)
		if (sampler_check_pid(opts->pids[i], err) < 0)
			return -EINVAL;
	/* Nobody samples scorch itself or the idle task. */
	task_table_set_state(s->tasks, getpid(), TASK_OTHER);
	task_table_set_state(s->tasks, 0, TASK_OTHER);
	if ((opts->system_wide || opts->cgroup) &&
	    sampler_load_existing(s, err) < 0)
		return -ENOENT;
	if (sampler_add_tids(s, err) < 0)
		return -EINVAL;
	for (i = 0; i < opts->npids; i++) {
		sampler_load_target(s, opts->pids[i]);
		sampler_add_cmdline(s, opts->pids[i]);
		sampler_watch_pid(s, opts->pids[i]);
	}
	if (!opts->argv)
		return 0;
	s->child = sampler_fork_command(opts->argv, &s->child_go,
					&s->child_status_fd, err);
	if (s->child < 0) {
		s->child = 0;
		return -ECHILD;
	}
	task_table_set_state(s->tasks, s->child, TASK_TARGET);
	task_table_set_comm(s->tasks, s->child, s->child, opts->argv[0]);
	sampler_watch_pid(s, s->child);
	for (i = 0; opts->argv[i]; i++) {
		strbuf_addstr(&s->cmdlines, i ? " " : "");
		strbuf_addstr(&s->cmdlines, opts->argv[i]);
	}
	return 0;
}

int
sampler_start_child(struct sampler *s, struct scorch_err *err)
{
	int e = 0;
	ssize_t n;

	if (!s->child)
		return 0;
	/* Let it run; exec closes status_fd, or it sends errno. */
	if (write(s->child_go, "g", 1) != 1) {
		err_set(err, "%s: cannot start: %s", s->opts.argv[0],
			strerror(errno));
		return -errno;
	}
	close(s->child_go);
	s->child_go = -1;
	n = read(s->child_status_fd, &e, sizeof(e));
	close(s->child_status_fd);
	s->child_status_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		err_set(err, "%s: cannot run command: %s", s->opts.argv[0],
			strerror(e));
		return -e;
	}
	s->child_started = true;
	return 0;
}

void
sampler_drop_child(struct sampler *s)
{
	if (s->child_go >= 0)
		close(s->child_go); /* it reads EOF and exits */
	if (s->child_status_fd >= 0)
		close(s->child_status_fd);
	s->child_go = s->child_status_fd = -1;
	if (s->child && !s->child_started) {
		waitpid(s->child, NULL, 0);
		s->child = 0;
	}
}
