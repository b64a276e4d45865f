/* SPDX-License-Identifier: MIT */
/* sampler/tasks.c - which processes are targets, and task names. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

struct task_table {
	struct intmap state; /* pid -> (enum task_state) */
	struct intmap names; /* tid -> char * (owned) */
	struct intmap seen;  /* tid -> (void *)1 once a sample was counted */
};

struct task_table *
task_table_new(void)
{
	struct task_table *t = xcalloc(1, sizeof(*t));

	intmap_init(&t->state);
	intmap_init(&t->names);
	intmap_init(&t->seen);
	return t;
}

void
task_table_free(struct task_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->names.nslots; i++)
		free(t->names.slots[i].value);
	intmap_fini(&t->state);
	intmap_fini(&t->names);
	intmap_fini(&t->seen);
	free(t);
}

enum task_state
task_table_state(const struct task_table *t, pid_t pid)
{
	return (enum task_state)(uintptr_t)intmap_get(&t->state, (unsigned)pid);
}

void
task_table_set_state(struct task_table *t, pid_t pid, enum task_state st)
{
	intmap_put(&t->state, (unsigned)pid, (void *)(uintptr_t)st);
}

void
task_table_set_comm(struct task_table *t, pid_t pid, pid_t tid,
		    const char *comm)
{
	char *old = intmap_get(&t->names, (unsigned)tid);

	(void)pid;
	if (old && !strcmp(old, comm))
		return;
	intmap_put(&t->names, (unsigned)tid, xstrdup(comm));
	free(old);
}

const char *
task_table_comm(const struct task_table *t, pid_t tid)
{
	const char *s = intmap_get(&t->names, (unsigned)tid);

	return s ? s : "";
}

int
task_table_seen(struct task_table *t, pid_t pid, pid_t tid)
{
	/* Processes are keyed apart from threads by a bit above any pid. */
	unsigned long long pkey = (1ULL << 40) | (unsigned)pid;
	int flags = 0;

	if (!intmap_get(&t->seen, (unsigned)tid)) {
		intmap_put(&t->seen, (unsigned)tid, (void *)1);
		flags |= TASK_NEW_THREAD;
	}
	if (!intmap_get(&t->seen, pkey)) {
		intmap_put(&t->seen, pkey, (void *)1);
		flags |= TASK_NEW_PROCESS;
	}
	return flags;
}

static void
task_table_read_comm(struct task_table *t, pid_t pid, pid_t tid)
{
	char path[80], buf[64];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
		 (int)tid);
	fp = fopen(path, "re");
	if (!fp)
		return;
	if (fgets(buf, sizeof(buf), fp)) {
		buf[strcspn(buf, "\n")] = '\0';
		task_table_set_comm(t, pid, tid, buf);
	}
	fclose(fp);
}

void
task_table_load_proc(struct task_table *t, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *dir;

	task_table_read_comm(t, pid, pid);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			task_table_read_comm(t, pid, atoi(de->d_name));
	closedir(dir);
}
