/*
 * runstat: run a command and report its wall time, CPU time and peak RSS (wait4's rusage, so only
 * that process, not a shell around it: exec the program directly).
 *
 *   runstat [-n RUNS] [-i INPUT] [-o OUTPUT] -- CMD [ARG...]
 *
 * stdin comes from INPUT (default: inherited), stdout goes to OUTPUT (default /dev/null). With -n the
 * command runs RUNS times; the best wall time, best CPU time and largest peak RSS are reported.
 * Prints one line:  RUNSTAT wall_s=... cpu_s=... maxrss_kb=... exit=...
 * Exits 0 when every run exited 0, else 1 (the line is printed either way).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

static int run_once(char **cmd, const char *in, const char *out, double *wall, double *cpu, long *rss)
{
    struct rusage ru;
    int status = 0;
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd;
        if (in) {
            if ((fd = open(in, O_RDONLY)) < 0 || dup2(fd, 0) < 0)
                _exit(126);
            close(fd);
        }
        if ((fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || dup2(fd, 1) < 0)
            _exit(126);
        close(fd);
        execvp(cmd[0], cmd);
        fprintf(stderr, "runstat: %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    *wall = now() - t0;
    *cpu = tv(ru.ru_utime) + tv(ru.ru_stime);
    *rss = ru.ru_maxrss; /* KiB on Linux */
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int runs = 1, i, worst = 0;
    double best_wall = 0, best_cpu = 0;
    long max_rss = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
            in = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else {
            break;
        }
    }
    if (i >= argc || runs < 1) {
        fprintf(stderr, "usage: runstat [-n RUNS] [-i INPUT] [-o OUTPUT] -- CMD [ARG...]\n");
        return 2;
    }
    for (int r = 0; r < runs; r++) {
        double wall, cpu;
        long rss;
        int rc = run_once(argv + i, in, out, &wall, &cpu, &rss);
        if (rc < 0) {
            fprintf(stderr, "runstat: %s\n", strerror(errno));
            return 3;
        }
        if (rc > worst)
            worst = rc;
        if (r == 0 || wall < best_wall)
            best_wall = wall;
        if (r == 0 || cpu < best_cpu)
            best_cpu = cpu;
        if (rss > max_rss)
            max_rss = rss;
    }
    printf("RUNSTAT wall_s=%.3f cpu_s=%.3f maxrss_kb=%ld exit=%d\n", best_wall, best_cpu, max_rss, worst);
    return worst == 0 ? 0 : 1;
}
