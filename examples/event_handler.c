/* An EventBridge handler: reads Security Hub events (Findings - Imported, Custom Action, ...) from
 * stdin, streaming, and prints one line per finding: action, Id, severity, resource. */
#include <stdio.h>
#include <asff/asff.h>

static int on_finding(void *ctx, void *finding, const asff_finding_info *info)
{
    asff_AwsSecurityFinding *f = finding;
    const asff_document *doc = info->document;
    (void)ctx;
    printf("%s\t%s\t%s\t%s\n", doc->action_name ? doc->action_name : (doc->detail_type ? doc->detail_type : "-"),
           f->Id ? f->Id : "-", f->Severity && f->Severity->Label ? f->Severity->Label : "-",
           f->Resources.count && f->Resources.items[0]->Id ? f->Resources.items[0]->Id : "-");
    return 0;
}

int main(void)
{
    char buf[65536];
    size_t n;
    asff_error err;
    asff_parser *p = NULL;
    (void)asff_parser_new(NULL, on_finding, NULL, NULL, &p, NULL);
    asff_status st = ASFF_OK;
    if (!p)
        return 3;
    while (st == ASFF_OK && (n = fread(buf, 1, sizeof buf, stdin)) > 0)
        st = asff_parser_feed(p, buf, n, &err);
    if (st == ASFF_OK)
        st = asff_parser_finish(p, &err);
    if (st != ASFF_OK)
        fprintf(stderr, "event_handler: line %llu, column %llu: %s: %s\n", (unsigned long long)err.line,
                (unsigned long long)err.column, err.path, err.message);
    else
        fprintf(stderr, "event_handler: %llu findings\n", (unsigned long long)asff_parser_count(p));
    asff_parser_free(p);
    return st == ASFF_OK ? 0 : 1;
}
