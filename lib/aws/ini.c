/* The AWS shared config / credentials file parser (see asff_aws_ini_* in include/asff/aws.h).
 * Values may be secrets: they are wiped when freed, and error messages name lines, never content. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "asff/aws.h"
#include "aws/aws_internal.h"
#include "core/internal.h"
#include "sigv4/secbuf.h"

typedef struct ini_kv {
    char *key;
    char *value;
} ini_kv;

typedef struct ini_section {
    char *name;
    bool legacy_default; /* config style: `[default]` (`[profile default]` wins over it) */
    ini_kv *kv;
    size_t count, cap;
} ini_section;

struct asff_aws_ini {
    const asff_allocator *alloc;
    ini_section *sections;
    size_t count, cap;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

/* Cut a comment: ';' or '#' at the start, or after whitespace (so "a#b" keeps its '#'). */
static const char *comment_start(const char *s, const char *e)
{
    const char *p;
    for (p = s; p < e; p++)
        if ((*p == '#' || *p == ';') && (p == s || is_space(p[-1])))
            return p;
    return e;
}

static void free_section(const asff_allocator *a, ini_section *sec)
{
    size_t i;
    for (i = 0; i < sec->count; i++) {
        asff__sbuf_strfree(a, sec->kv[i].key);
        asff__sbuf_strfree(a, sec->kv[i].value);
    }
    asff__free(a, sec->kv);
    asff__sbuf_strfree(a, sec->name);
}

void asff_aws_ini_free(asff_aws_ini *ini)
{
    size_t i;
    if (!ini)
        return;
    for (i = 0; i < ini->count; i++)
        free_section(ini->alloc, &ini->sections[i]);
    asff__free(ini->alloc, ini->sections);
    asff__free(ini->alloc, ini);
}

static ini_section *find_section(const asff_aws_ini *ini, const char *name, size_t len, bool legacy)
{
    size_t i;
    for (i = 0; i < ini->count; i++) {
        ini_section *s = &ini->sections[i];
        if (s->legacy_default == legacy && strlen(s->name) == len && memcmp(s->name, name, len) == 0)
            return s;
    }
    return NULL;
}

static ini_section *add_section(asff_aws_ini *ini, const char *name, size_t len, bool legacy)
{
    ini_section *s = find_section(ini, name, len, legacy);
    if (s)
        return s; /* a section that appears twice is merged */
    if (ini->count == ini->cap) {
        size_t cap = ini->cap ? ini->cap * 2 : 8;
        ini_section *p = asff__realloc(ini->alloc, ini->sections, cap * sizeof *p);
        if (!p)
            return NULL;
        ini->sections = p;
        ini->cap = cap;
    }
    s = &ini->sections[ini->count];
    memset(s, 0, sizeof *s);
    s->name = asff__sbuf_strdup(ini->alloc, name, len);
    if (!s->name)
        return NULL;
    s->legacy_default = legacy;
    ini->count++;
    return s;
}

/* Set key (already lowercased) to value; a later duplicate replaces the earlier value. */
static asff_status set_value(asff_aws_ini *ini, ini_section *sec, const char *key, size_t klen, const char *val,
                             size_t vlen)
{
    size_t i;
    char *v = asff__sbuf_strdup(ini->alloc, val, vlen);
    if (!v)
        return ASFF_ERR_NOMEM;
    for (i = 0; i < sec->count; i++) {
        if (strlen(sec->kv[i].key) == klen && memcmp(sec->kv[i].key, key, klen) == 0) {
            asff__sbuf_strfree(ini->alloc, sec->kv[i].value);
            sec->kv[i].value = v;
            return ASFF_OK;
        }
    }
    if (sec->count == sec->cap) {
        size_t cap = sec->cap ? sec->cap * 2 : 8;
        ini_kv *p = asff__realloc(ini->alloc, sec->kv, cap * sizeof *p);
        if (!p) {
            asff__sbuf_strfree(ini->alloc, v);
            return ASFF_ERR_NOMEM;
        }
        sec->kv = p;
        sec->cap = cap;
    }
    sec->kv[sec->count].key = asff__sbuf_strdup(ini->alloc, key, klen);
    if (!sec->kv[sec->count].key) {
        asff__sbuf_strfree(ini->alloc, v);
        return ASFF_ERR_NOMEM;
    }
    sec->kv[sec->count].value = v;
    sec->count++;
    return ASFF_OK;
}

/* Append "\n" + more to the value of key (a continuation line). */
static asff_status append_value(asff_aws_ini *ini, ini_section *sec, const char *key, const char *more, size_t n)
{
    size_t i;
    for (i = 0; i < sec->count; i++) {
        if (strcmp(sec->kv[i].key, key) == 0) {
            size_t old = strlen(sec->kv[i].value);
            char *v = asff__malloc(ini->alloc, old + 1 + n + 1);
            if (!v)
                return ASFF_ERR_NOMEM;
            memcpy(v, sec->kv[i].value, old);
            v[old] = '\n';
            memcpy(v + old + 1, more, n);
            v[old + 1 + n] = '\0';
            asff__sbuf_strfree(ini->alloc, sec->kv[i].value);
            sec->kv[i].value = v;
            return ASFF_OK;
        }
    }
    return ASFF_ERR_INTERNAL;
}

asff_status asff_aws_ini_parse(const char *data, size_t len, bool config_style, const asff_allocator *allocator,
                               asff_aws_ini **out, asff_error *err)
{
    asff_aws_ini *ini;
    ini_section *sec = NULL;
    size_t pos = 0, line = 0;
    char key[ASFF_AWS_INI_MAX_LINE + 1];  /* the last key, lowercased: parent of sub-properties */
    bool have_key = false, parent_empty = false;
    asff_status st = ASFF_OK;
    const asff_allocator *a = asff__alloc_or_default(allocator);
    if (!out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "config: no output");
    *out = NULL;
    if (!data && len)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "config: NULL data");
    if (len > ASFF_AWS_INI_MAX_SIZE)
        return asff__error_setf(err, ASFF_ERR_LIMIT, "config: larger than %u bytes", ASFF_AWS_INI_MAX_SIZE);
    ini = asff__malloc(a, sizeof *ini);
    if (!ini)
        return asff_error_set(err, ASFF_ERR_NOMEM, "config: out of memory");
    memset(ini, 0, sizeof *ini);
    ini->alloc = a;
    key[0] = '\0';
    /* A UTF-8 byte order mark is not part of the first line. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *e = nl ? nl : data + len;
        bool indented = s < e && (*s == ' ' || *s == '\t');
        /* Indented lines under a key: sub-properties when its value is empty, else continuations. */
        bool sub = indented && have_key && parent_empty, cont = indented && have_key && !parent_empty;
        line++;
        pos = (size_t)(e - data) + (nl ? 1 : 0);
        if ((size_t)(e - s) > ASFF_AWS_INI_MAX_LINE) {
            st = asff__error_setf(err, ASFF_ERR_LIMIT, "config: line %zu: longer than %u bytes", line,
                                 ASFF_AWS_INI_MAX_LINE);
            goto fail;
        }
        if (memchr(s, '\0', (size_t)(e - s))) {
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "config: line %zu: NUL byte", line);
            goto fail;
        }
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';')
            continue; /* blank line or whole-line comment */
        if (*s == '[') { /* a header, indented or not (configparser strips the line) */
            const char *close = memchr(s, ']', (size_t)(e - s)), *ns = s + 1, *ne, *rest;
            bool legacy = false;
            if (!close) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "config: line %zu: section header without ']'", line);
                goto fail;
            }
            rest = close + 1;
            trim(&rest, &e);
            if (rest < e && *rest != '#' && *rest != ';') {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "config: line %zu: text after the section header", line);
                goto fail;
            }
            ne = close;
            trim(&ns, &ne);
            if (ns == ne) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "config: line %zu: empty section name", line);
                goto fail;
            }
            if (config_style) {
                if ((size_t)(ne - ns) > 8 && memcmp(ns, "profile", 7) == 0 && is_space(ns[7])) {
                    ns += 8;
                    trim(&ns, &ne);
                } else if (ne - ns == 7 && memcmp(ns, "default", 7) == 0) {
                    legacy = true;
                }
            }
            sec = add_section(ini, ns, (size_t)(ne - ns), legacy);
            if (!sec) {
                st = asff_error_set(err, ASFF_ERR_NOMEM, "config: out of memory");
                goto fail;
            }
            have_key = false;
            continue;
        }
        if (!sec) {
            st = asff__error_setf(err, ASFF_ERR_SYNTAX, "config: line %zu: a setting before any [section]", line);
            goto fail;
        }
        if (cont) {
            /* Continuation of the previous value (configparser keeps it after a newline). */
            e = comment_start(s, e);
            trim(&s, &e);
            if (append_value(ini, sec, key, s, (size_t)(e - s)) != ASFF_OK) {
                st = asff_error_set(err, ASFF_ERR_NOMEM, "config: out of memory");
                goto fail;
            }
            continue;
        }
        {
            const char *eq = s, *ks = s, *ke, *vs, *ve = e;
            char full[2 * ASFF_AWS_INI_MAX_LINE + 2];
            size_t flen = 0, i;
            while (eq < e && *eq != '=' && *eq != ':')
                eq++;
            if (eq == e) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "config: line %zu: expected key = value", line);
                goto fail;
            }
            ke = eq;
            trim(&ks, &ke);
            if (ks == ke) {
                st = asff__error_setf(err, ASFF_ERR_SYNTAX, "config: line %zu: empty key", line);
                goto fail;
            }
            vs = eq + 1;
            ve = comment_start(vs, ve);
            trim(&vs, &ve);
            if (sub) {
                /* A sub-property (s3 =\n  max_concurrent_requests = 10): "parent.key". */
                flen = strlen(key);
                memcpy(full, key, flen);
                full[flen++] = '.';
            }
            for (i = 0; i < (size_t)(ke - ks); i++) {
                char c = ks[i];
                full[flen++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
            }
            full[flen] = '\0';
            if (set_value(ini, sec, full, flen, vs, (size_t)(ve - vs)) != ASFF_OK) {
                st = asff_error_set(err, ASFF_ERR_NOMEM, "config: out of memory");
                goto fail;
            }
            if (!sub) {
                memcpy(key, full, flen + 1);
                have_key = true;
                parent_empty = ve == vs;
            }
        }
    }
    *out = ini;
    return ASFF_OK;
fail:
    if (err && st != ASFF_ERR_NOMEM)
        err->offset = pos;
    asff_aws_ini_free(ini);
    return st;
}

asff_status asff_aws_ini_load(const char *path, bool config_style, const asff_allocator *allocator,
                              asff_aws_ini **out, asff_error *err)
{
    asff_buf b;
    asff_status st;
    FILE *f;
    char chunk[4096];
    size_t n;
    if (!path || !out)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "config: no path");
    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return asff__error_setf(err, ASFF_ERR_NOT_FOUND, "config: %s: no such file", path);
        return asff__error_setf(err, ASFF_ERR_IO, "config: %s: %s", path, strerror(errno));
    }
    asff__buf_init(&b, allocator);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > ASFF_AWS_INI_MAX_SIZE) {
            fclose(f);
            asff__sbuf_cleanup(&b);
            return asff__error_setf(err, ASFF_ERR_LIMIT, "config: %s: larger than %u bytes", path,
                                   ASFF_AWS_INI_MAX_SIZE);
        }
        if (asff__sbuf_append(&b, chunk, n) != ASFF_OK) {
            fclose(f);
            asff__sbuf_cleanup(&b);
            return asff_error_set(err, ASFF_ERR_NOMEM, "config: out of memory");
        }
    }
    if (ferror(f)) {
        fclose(f);
        asff__sbuf_cleanup(&b);
        return asff__error_setf(err, ASFF_ERR_IO, "config: %s: read error", path);
    }
    fclose(f);
    OPENSSL_cleanse(chunk, sizeof chunk);
    st = asff_aws_ini_parse(b.data ? b.data : "", b.len, config_style, allocator, out, err);
    asff__sbuf_cleanup(&b);
    if (st != ASFF_OK && err && st != ASFF_ERR_NOMEM) {
        /* Name the file: "config: line 3: ..." becomes "config: PATH: line 3: ...". */
        char msg[1024];
        const char *rest = strncmp(err->message, "config: ", 8) == 0 ? err->message + 8 : err->message;
        snprintf(msg, sizeof msg, "config: %.400s: %s", path, rest);
        asff_error_set(err, st, msg); /* escaped for display: the path may hold anything */
    }
    return st;
}

const char *asff_aws_ini_get(const asff_aws_ini *ini, const char *section, const char *key)
{
    size_t i, pass;
    if (!ini || !section || !key)
        return NULL;
    /* `[profile default]` first, then `[default]`. */
    for (pass = 0; pass < 2; pass++) {
        const ini_section *sec = find_section(ini, section, strlen(section), pass == 1);
        if (!sec)
            continue;
        for (i = 0; i < sec->count; i++)
            if (strcmp(sec->kv[i].key, key) == 0)
                return sec->kv[i].value;
    }
    return NULL;
}

bool asff__aws_ini_has_section(const asff_aws_ini *ini, const char *section)
{
    return ini && section &&
           (find_section(ini, section, strlen(section), false) || find_section(ini, section, strlen(section), true));
}

size_t asff_aws_ini_section_count(const asff_aws_ini *ini)
{
    return ini ? ini->count : 0;
}

const char *asff_aws_ini_section_name(const asff_aws_ini *ini, size_t index)
{
    return ini && index < ini->count ? ini->sections[index].name : NULL;
}
