/*
 * ASFF -> CSV (RFC 4180), one row per finding (docs/convert.md, "CSV").
 *
 * Columns are member paths checked against the model once, when the writer is made. A path that
 * crosses a list fans out: every value it reaches is written into the same cell, joined with the
 * join string. Cells that a spreadsheet would run as a formula (= + - @, tab, CR first) get a
 * leading apostrophe; control characters, which could drive a terminal, become U+FFFD.
 */
#include <stdio.h>
#include <string.h>
#include "convert_internal.h"

#define MAX_STEPS 16
#define MAX_COLUMNS 256

typedef struct csv_step {
    const asff_member *m;
    char *key;              /* map member: the key to take, or NULL for every entry */
} csv_step;

typedef struct csv_column {
    char *name;
    csv_step steps[MAX_STEPS];
    unsigned nsteps;
} csv_column;

struct asff_csv_writer {
    const asff_allocator *alloc;
    asff_write_fn fn;
    void *ctx;
    csv_column *cols;
    size_t ncols;
    char *join;
    bool header_done, no_header;
    asff_buf cell, row;
    size_t values;          /* values in the current cell */
    asff_status status;
};

static char *dup_n(const asff_allocator *a, const char *s, size_t n)
{
    char *p = asff__malloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Parse one column path into steps. */
static asff_status parse_column(asff_csv_writer *w, csv_column *c, const char *s, size_t n, asff_error *err)
{
    const asff_type *t = asff_type_get(ASFF_TID_AwsSecurityFinding);
    size_t i = 0;
    c->name = dup_n(w->alloc, s, n);
    if (!c->name)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    while (i < n) {
        size_t j = i;
        const asff_member *m;
        csv_step *st;
        if (!t)
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "column '%s': '%.*s' is below a value that has no members",
                                   c->name, (int)(n - i), s + i);
        while (j < n && s[j] != '.' && s[j] != '[')
            j++;
        m = asff_member_find(t, s + i, j - i);
        if (!m)
            return asff__error_setf(err, ASFF_ERR_NOT_FOUND, "column '%s': %s has no member '%.*s'", c->name, t->name,
                                   (int)(j - i), s + i);
        if (c->nsteps == MAX_STEPS)
            return asff__error_setf(err, ASFF_ERR_LIMIT, "column '%s' has more than %d steps", c->name, MAX_STEPS);
        st = &c->steps[c->nsteps++];
        st->m = m;
        st->key = NULL;
        if (j + 1 < n && s[j] == '[') {
            if (s[j + 1] != ']' || m->kind != ASFF_KIND_LIST)
                return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "column '%s': '[]' follows only a list member",
                                       c->name);
            j += 2;
        }
        t = (m->kind == ASFF_KIND_OBJECT || m->elem_kind == ASFF_KIND_OBJECT) ? m->type : NULL;
        if ((j < n && s[j] != '.') || (j + 1 == n && s[j] == '.') || j == i)
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "column '%s' is not a member path", c->name);
        i = j < n ? j + 1 : n;
        if (m->kind == ASFF_KIND_MAP && i < n) {
            /* the key: up to the next '.' for a map of objects, else the rest of the path */
            size_t k = i;
            if (m->elem_kind == ASFF_KIND_OBJECT)
                while (k < n && s[k] != '.')
                    k++;
            else
                k = n;
            st->key = dup_n(w->alloc, s + i, k - i);
            if (!st->key)
                return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
            i = k < n ? k + 1 : n;
            if (m->elem_kind != ASFF_KIND_OBJECT)
                t = NULL;
        }
    }
    if (c->nsteps == 0)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "an empty column");
    return ASFF_OK;
}

asff_status asff_csv_writer_new(const asff_csv_options *options, asff_write_fn fn, void *ctx,
                                asff_csv_writer **out, asff_error *err)
{
    asff_csv_options defaults = ASFF_CSV_OPTIONS_INIT;
    const asff_csv_options *o = options ? options : &defaults;
    const char *cols = o->columns ? o->columns : ASFF_CSV_DEFAULT_COLUMNS;
    const char *join = o->join ? o->join : "; ";
    const asff_allocator *alloc = asff__alloc_or_default(o->allocator);
    asff_csv_writer *w;
    const char *p;
    asff_status st = ASFF_OK;
    size_t n = 1;
    if (out)
        *out = NULL;
    if (!out || !fn)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "asff_csv_writer_new needs a sink and an out pointer");
    for (p = cols; *p; p++)
        n += *p == ',';
    if (n > MAX_COLUMNS)
        return asff__error_setf(err, ASFF_ERR_LIMIT, "more than %d columns", MAX_COLUMNS);
    w = asff__malloc(alloc, sizeof *w);
    if (!w)
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    memset(w, 0, sizeof *w);
    w->alloc = alloc;
    w->fn = fn;
    w->ctx = ctx;
    w->no_header = o->no_header;
    asff__buf_init(&w->cell, alloc);
    asff__buf_init(&w->row, alloc);
    w->cols = asff__malloc(alloc, n * sizeof *w->cols);
    w->join = dup_n(alloc, join, strlen(join));
    if (!w->cols || !w->join) {
        asff_csv_writer_free(w);
        return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    memset(w->cols, 0, n * sizeof *w->cols);
    for (p = cols; st == ASFF_OK;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && *p == ' ') {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        if (len == 0)
            st = asff_error_set(err, ASFF_ERR_INVALID_ARG, "an empty column name");
        else
            st = parse_column(w, &w->cols[w->ncols++], p, len, err);
        if (!e)
            break;
        p = e + 1;
    }
    if (st != ASFF_OK) {
        asff_csv_writer_free(w);
        return st;
    }
    *out = w;
    return ASFF_OK;
}

void asff_csv_writer_free(asff_csv_writer *w)
{
    size_t i, k;
    if (!w)
        return;
    for (i = 0; w->cols && i < w->ncols; i++) {
        asff__free(w->alloc, w->cols[i].name);
        for (k = 0; k < w->cols[i].nsteps; k++)
            asff__free(w->alloc, w->cols[i].steps[k].key);
    }
    asff__free(w->alloc, w->cols);
    asff__free(w->alloc, w->join);
    asff__buf_cleanup(&w->cell);
    asff__buf_cleanup(&w->row);
    asff__free(w->alloc, w);
}

/* ---- values of a cell ------------------------------------------------------------------------ */

static void add_value(asff_csv_writer *w, const char *s, size_t len)
{
    if (w->status != ASFF_OK)
        return;
    if (w->values++ && asff__buf_append(&w->cell, w->join, strlen(w->join)) != ASFF_OK)
        w->status = ASFF_ERR_NOMEM;
    if (w->status == ASFF_OK && asff__buf_append(&w->cell, s, len) != ASFF_OK)
        w->status = ASFF_ERR_NOMEM;
}

static void add_scalar(asff_csv_writer *w, asff_kind k, const void *v)
{
    char tmp[40];
    switch (k) {
    case ASFF_KIND_STRING:
    case ASFF_KIND_JSON:
        add_value(w, v, strlen(v));
        break;
    case ASFF_KIND_INT: {
        const asff_int *i = v;
        if (i->text)
            add_value(w, i->text, strlen(i->text));
        else {
            snprintf(tmp, sizeof tmp, "%lld", (long long)i->value);
            add_value(w, tmp, strlen(tmp));
        }
        break;
    }
    case ASFF_KIND_DOUBLE: {
        size_t n = asff__codec_format_double(*(const double *)v, tmp);
        add_value(w, tmp, n);
        break;
    }
    case ASFF_KIND_BOOL:
        add_value(w, *(const bool *)v ? "true" : "false", *(const bool *)v ? 4 : 5);
        break;
    case ASFF_KIND_OBJECT: {
        asff_buf b;
        asff__buf_init(&b, w->alloc);
        if (asff__codec_object_json(v, &b, NULL) != ASFF_OK)
            w->status = ASFF_ERR_NOMEM;
        else
            add_value(w, b.data ? b.data : "{}", b.data ? b.len : 2);
        asff__buf_cleanup(&b);
        break;
    }
    default:
        break;
    }
}

/* The values that steps[i..] reach from obj. Depth is bounded by MAX_STEPS. */
static void eval(asff_csv_writer *w, const void *obj, const csv_column *c, unsigned i)
{
    const asff_member *m = c->steps[i].m;
    const void *slot = asff_member_slot(obj, m);
    bool last = i + 1 == c->nsteps;
    size_t k;
    if (!asff_member_present(obj, m))
        return;
    if (m->kind == ASFF_KIND_LIST) {
        asff_list l;
        memcpy(&l, slot, sizeof l);
        for (k = 0; k < l.count; k++) {
            if (!l.items[k])
                continue;
            if (m->elem_kind == ASFF_KIND_OBJECT && !last)
                eval(w, l.items[k], c, i + 1);
            else if (last)
                add_scalar(w, (asff_kind)m->elem_kind, l.items[k]);
        }
    } else if (m->kind == ASFF_KIND_MAP) {
        asff_map mp;
        const char *key = c->steps[i].key;
        memcpy(&mp, slot, sizeof mp);
        for (k = 0; k < mp.count; k++) {
            if (!mp.values[k] || (key && strcmp(mp.keys[k], key) != 0))
                continue;
            if (m->elem_kind == ASFF_KIND_OBJECT && !last)
                eval(w, mp.values[k], c, i + 1);
            else if (!last)
                continue;
            else if (key || m->elem_kind == ASFF_KIND_OBJECT)
                add_scalar(w, (asff_kind)m->elem_kind, mp.values[k]);
            else {
                /* the whole string map: key=value per entry */
                asff_buf b;
                asff__buf_init(&b, w->alloc);
                if (asff__buf_appendf(&b, "%s=%s", mp.keys[k], (const char *)mp.values[k]) != ASFF_OK)
                    w->status = ASFF_ERR_NOMEM;
                else
                    add_value(w, b.data, b.len);
                asff__buf_cleanup(&b);
            }
        }
    } else if (m->kind == ASFF_KIND_OBJECT) {
        const void *child = *(void *const *)slot;
        if (last)
            add_scalar(w, ASFF_KIND_OBJECT, child);
        else
            eval(w, child, c, i + 1);
    } else if (last) {
        add_scalar(w, (asff_kind)m->kind, *(void *const *)slot);
    }
}

/* ---- cells and rows ------------------------------------------------------------------------- */

static asff_status put_cell(asff_csv_writer *w, const char *s, size_t len, bool first)
{
    asff_buf *r = &w->row;
    size_t i;
    bool quote = false;
    asff_status st = ASFF_OK;
    if (!first && (st = asff__buf_putc(r, ',')) != ASFF_OK)
        return st;
    for (i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (len && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        quote = true;
    if (quote)
        st = asff__buf_putc(r, '"');
    if (st == ASFF_OK && len && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        st = asff__buf_putc(r, '\'');
    for (i = 0; i < len && st == ASFF_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            st = asff__buf_append(r, "\"\"", 2);
        else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            st = asff__buf_append(r, "\xef\xbf\xbd", 3);
        else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f) {
            st = asff__buf_append(r, "\xef\xbf\xbd", 3); /* C1 controls (CSI ...) */
            i++;
        } else
            st = asff__buf_putc(r, (char)c);
    }
    if (st == ASFF_OK && quote)
        st = asff__buf_putc(r, '"');
    return st;
}

static asff_status flush_row(asff_csv_writer *w, asff_error *err)
{
    asff_status st = asff__buf_append(&w->row, "\r\n", 2);
    if (st != ASFF_OK)
        return asff_error_set(err, st, "out of memory");
    if (w->fn(w->ctx, w->row.data, w->row.len) != 0)
        return asff_error_set(err, ASFF_ERR_IO, "the CSV sink failed");
    asff__buf_reset(&w->row);
    return ASFF_OK;
}

static asff_status write_header(asff_csv_writer *w, asff_error *err)
{
    size_t i;
    w->header_done = true;
    if (w->no_header)
        return ASFF_OK;
    asff__buf_reset(&w->row);
    for (i = 0; i < w->ncols; i++)
        if (put_cell(w, w->cols[i].name, strlen(w->cols[i].name), i == 0) != ASFF_OK)
            return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    return flush_row(w, err);
}

asff_status asff_csv_writer_write(asff_csv_writer *w, const asff_AwsSecurityFinding *f, asff_error *err)
{
    size_t i;
    asff_status st;
    if (!w || !f)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "no writer or no finding");
    if (!w->header_done && (st = write_header(w, err)) != ASFF_OK)
        return st;
    asff__buf_reset(&w->row);
    for (i = 0; i < w->ncols; i++) {
        asff__buf_reset(&w->cell);
        w->values = 0;
        w->status = ASFF_OK;
        eval(w, f, &w->cols[i], 0);
        if (w->status != ASFF_OK)
            return asff_error_set(err, w->status, "out of memory");
        if (put_cell(w, w->cell.data ? w->cell.data : "", w->cell.len, i == 0) != ASFF_OK)
            return asff_error_set(err, ASFF_ERR_NOMEM, "out of memory");
    }
    return flush_row(w, err);
}

asff_status asff_csv_writer_finish(asff_csv_writer *w, asff_error *err)
{
    if (!w)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "no writer");
    return w->header_done ? ASFF_OK : write_header(w, err);
}
