/* Replays a libFuzzer corpus (files or directories given as arguments) through the target, so that
 * ctest runs every seed and every saved crash without libFuzzer. Fails on an empty corpus. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (!f) {
        perror(path);
        return -1;
    }
    do {
        if (len == cap) {
            uint8_t *p;
            cap = cap ? cap * 2 : 65536;
            p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = p;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    /* Copy to an exact-size buffer so that ASan sees reads past the end. */
    {
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
            free(buf);
            return -1;
        }
        if (len)
            memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}

static int run_path(const char *path, long *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        struct dirent **list;
        int n = scandir(path, &list, NULL, alphasort), i, rc = 0;
        if (n < 0) {
            perror(path);
            return -1;
        }
        for (i = 0; i < n; i++) {
            if (list[i]->d_name[0] != '.' && rc == 0) {
                char sub[4096];
                snprintf(sub, sizeof sub, "%s/%s", path, list[i]->d_name);
                rc = run_path(sub, count);
            }
            free(list[i]);
        }
        free(list);
        return rc;
    }
    if (run_file(path) != 0)
        return -1;
    (*count)++;
    return 0;
}

int main(int argc, char **argv)
{
    long count = 0;
    int i;
    for (i = 1; i < argc; i++)
        if (run_path(argv[i], &count) != 0)
            return 1;
    printf("replayed %ld inputs\n", count);
    return count > 0 ? 0 : 1;
}
