/* credential_process: run the profile's command and read JSON Version 1 from its standard output
 * ({"Version":1,"AccessKeyId","SecretAccessKey","SessionToken","Expiration"}). The command runs without
 * a shell (split at white space) unless it needs one (quotes or shell metacharacters: /bin/sh -c);
 * its standard error goes to ours; it is killed after options.process_timeout_ms. The output is
 * never quoted in an error. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "aws/aws_internal.h"
#include "core/json.h"
#include "sigv4/secbuf.h"

#define MAX_ARGS 64
#define MAX_OUTPUT (64u * 1024u)

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Split cmd (a modifiable copy) at white space into argv; false when it needs a shell. */
static bool split_plain(char *cmd, char **argv, size_t max)
{
    size_t n = 0;
    char *p = cmd;
    if (strpbrk(cmd, "\"'\\$`|&;<>()*?[]{}~#!\n%="))
        return false;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        if (n + 1 >= max)
            return false;
        argv[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    argv[n] = NULL;
    return n > 0;
}

/* Run cmd, its stdout into out. */
static asff_status run(asff_aws *a, const char *cmd, const char *profile, asff_buf *out, asff_error *err)
{
    char *copy = asff__sbuf_strdup(a->alloc, cmd, strlen(cmd));
    char *argv[MAX_ARGS];
    int fds[2] = {-1, -1}, status = 0, rc;
    posix_spawn_file_actions_t fa;
    pid_t pid = -1;
    asff_status st = ASFF_OK;
    int64_t deadline;
    bool fa_ready = false;
    if (!copy)
        return asff_error_set(err, ASFF_ERR_NOMEM, "credential_process: out of memory");
    if (!split_plain(copy, argv, MAX_ARGS)) {
        memcpy(copy, cmd, strlen(cmd) + 1);
        argv[0] = "/bin/sh";
        argv[1] = "-c";
        argv[2] = copy;
        argv[3] = NULL;
    }
    if (pipe(fds) != 0 || posix_spawn_file_actions_init(&fa) != 0) {
        st = asff__error_setf(err, ASFF_ERR_IO, "credential_process: cannot create a pipe");
        goto done;
    }
    fa_ready = true;
    if (posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO) != 0 ||
        posix_spawn_file_actions_addclose(&fa, fds[0]) != 0 || posix_spawn_file_actions_addclose(&fa, fds[1]) != 0) {
        st = asff_error_set(err, ASFF_ERR_NOMEM, "credential_process: out of memory");
        goto done;
    }
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    close(fds[1]);
    fds[1] = -1;
    if (rc != 0) {
        pid = -1;
        st = asff__error_setf(err, ASFF_ERR_CREDENTIALS, "credential_process of profile \"%.64s\": cannot run %.200s: %s",
                             profile, argv[0], strerror(rc));
        goto done;
    }
    deadline = now_ms() + a->opt.process_timeout_ms;
    for (;;) {
        struct pollfd pf = {fds[0], POLLIN, 0};
        char buf[4096];
        ssize_t got;
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            st = asff__error_setf(err, ASFF_ERR_TIMEOUT,
                                 "credential_process of profile \"%.64s\": no answer within %ld ms", profile,
                                 a->opt.process_timeout_ms);
            kill(pid, SIGKILL);
            break;
        }
        rc = poll(&pf, 1, (int)(left > 1000 ? 1000 : left));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc == 0)
            continue;
        got = read(fds[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (out->len + (size_t)got > MAX_OUTPUT) {
            st = asff__error_setf(err, ASFF_ERR_LIMIT, "credential_process of profile \"%.64s\": more than %u bytes of "
                                 "output", profile, MAX_OUTPUT);
            kill(pid, SIGKILL);
            break;
        }
        if (asff__sbuf_append(out, buf, (size_t)got) != ASFF_OK) {
            st = asff_error_set(err, ASFF_ERR_NOMEM, "credential_process: out of memory");
            kill(pid, SIGKILL);
            break;
        }
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (st == ASFF_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        st = asff__error_setf(err, ASFF_ERR_CREDENTIALS,
                             "credential_process of profile \"%.64s\" failed (exit status %d)", profile,
                             WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
done:
    if (fa_ready)
        posix_spawn_file_actions_destroy(&fa);
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    asff__sbuf_strfree(a->alloc, copy);
    return st;
}

asff_status asff__creds_process(asff_aws *a, const char *profile, asff__creds *out, char *detail, asff_error *err)
{
    static const char *const names[4] = {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"};
    const char *cmd = asff__aws_prof_get(a, profile, "credential_process");
    const char *what = "credential_process";
    asff_buf text;
    yajl_val root = NULL, ver;
    asff_status st;
    const char *vpath[] = {"Version", NULL};
    if (!cmd)
        return ASFF_ERR_NOT_FOUND;
    asff__buf_init(&text, a->alloc);
    st = run(a, cmd, profile, &text, err);
    if (st == ASFF_OK)
        st = asff__aws_json(a, text.data ? text.data : "", text.len, &root, what, err);
    if (st == ASFF_OK) {
        ver = YAJL_IS_OBJECT(root) ? yajl_tree_get(root, vpath, yajl_t_number) : NULL;
        if (!ver || !YAJL_IS_INTEGER(ver) || YAJL_GET_INTEGER(ver) != 1)
            st = asff__error_setf(err, ASFF_ERR_UNSUPPORTED,
                                 "%s of profile \"%.64s\": the output is not a JSON object with \"Version\": 1", what,
                                 profile);
        else
            st = asff__creds_from_json(a, root, names, false, out, what, err);
    }
    if (st == ASFF_OK)
        snprintf(detail, ASFF__DETAIL, "credential_process of profile \"%.64s\"", profile);
    asff__json_free(root, a->alloc);
    asff__sbuf_cleanup(&text);
    return st;
}
