/* asff_rollout: Security Hub enabled in every region of every member account, the members created,
 * invited and accepted from the administrator account (or the organization form). Idempotent: what is
 * already done (hub enabled, member created / invited / enabled) is seen and left alone. See
 * include/asff/client.h and docs/credentials.md. Every block comes from the client options' allocator;
 * a step that runs out of memory makes the whole rollout end in ASFF_ERR_NOMEM. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include "asff/aws.h"
#include "asff/client.h"
#include "client/client_internal.h"

#define ACTIONS_SIZE 128

typedef struct member_state {
    const asff_rollout_member *m;
    asff_client *c;            /* in the member account and this region; NULL when it could not be made */
    char status[32];           /* MemberStatus the administrator sees; "" = not a member */
    char actions[ACTIONS_SIZE];
    const char *failed;        /* failed step, NULL while ok */
    asff_error err;
} member_state;

static bool valid_account(const char *s)
{
    size_t i;
    for (i = 0; s && s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s && i == 12;
}

static void add_action(char *acts, const char *a)
{
    size_t n = strlen(acts);
    snprintf(acts + n, ACTIONS_SIZE - n, "%s%s", n ? "," : "", a);
}

static void fail(member_state *s, const char *step, const asff_error *e)
{
    if (s->failed)
        return;
    s->failed = step;
    s->err = *e;
}

static asff_status make_client(const asff_rollout_options *o, const char *region, const char *role_arn,
                               asff_client **out, asff_error *err)
{
    static const asff_client_options def = ASFF_CLIENT_OPTIONS_INIT;
    asff_client_options co = o->client ? *o->client : def;
    asff_aws_options ao = ASFF_AWS_OPTIONS_INIT;
    if (co.aws)
        ao = *co.aws;
    co.region = region;
    if (role_arn) {
        ao.role_arn = role_arn;
        ao.role_session_name = "libasff-rollout";
    }
    co.aws = &ao;
    return asff_client_new(&co, out, err);
}

/* Call op with input; *tree (may be NULL) gets the parsed answer (free with asff__json_free on c->alloc). */
static asff_status call(asff_client *c, asff_operation op, const char *input, yajl_val *tree, asff_error *err)
{
    asff_response r;
    asff_status st;
    asff_error_clear(err);
    st = asff_client_invoke(c, op, input, input ? strlen(input) : 0, &r, err);
    if (st != ASFF_OK)
        return st;
    if (tree) {
        *tree = NULL;
        st = asff__json_parse(r.len ? r.body : "{}", r.len ? r.len : 2, NULL, c->alloc, tree, err);
    }
    asff_response_cleanup(c, &r);
    return st;
}

static bool is_code(const asff_error *e, const char *code)
{
    return strcmp(e->aws_code, code) == 0;
}

/* DescribeHub, then EnableSecurityHub when there is none; "already enabled" (ResourceConflictException)
 * is success too. A DescribeHub failure other than "not subscribed" is the step's error. */
static asff_status enable_hub(asff_client *c, char *actions, asff_error *err)
{
    asff_status st = call(c, ASFF_OP_DescribeHub, NULL, NULL, err);
    if (st == ASFF_OK)
        return ASFF_OK;
    if (st != ASFF_ERR_AWS)
        return st;
    st = call(c, ASFF_OP_EnableSecurityHub, "{\"EnableDefaultStandards\":true}", NULL, err);
    if (st == ASFF_OK) {
        add_action(actions, "hub-enabled");
        return ASFF_OK;
    }
    if (st == ASFF_ERR_AWS && is_code(err, "ResourceConflictException")) {
        asff_error_clear(err);
        return ASFF_OK;
    }
    return st;
}

static const char *str_at(yajl_val obj, const char *name)
{
    const char *path[] = {name, NULL};
    yajl_val v = obj ? yajl_tree_get(obj, path, yajl_t_string) : NULL;
    return v ? YAJL_GET_STRING(v) : NULL;
}

static yajl_val array_at(yajl_val obj, const char *name)
{
    const char *path[] = {name, NULL};
    return obj ? yajl_tree_get(obj, path, yajl_t_array) : NULL;
}

/* A JSON body built with yajl_gen on alloc: {"Key": [ids of members in need] } or AccountDetails. NULL with
 * *count > 0: out of memory. */
static char *body_for(const asff_allocator *alloc, member_state *ms, size_t n, const char *key,
                      bool (*want)(const member_state *), bool details, size_t *count)
{
    asff_yalloc ya;
    yajl_gen g = asff__ygen_alloc(&ya, alloc);
    const unsigned char *buf;
    size_t len, i;
    char *out = NULL;
    *count = 0;
    for (i = 0; i < n; i++)
        if (!ms[i].failed && want(&ms[i]))
            (*count)++;
    if (!g)
        return NULL;
    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_array_open(g);
    for (i = 0; i < n; i++) {
        const char *id = ms[i].m->account_id;
        if (ms[i].failed || !want(&ms[i]))
            continue;
        if (details) {
            const char *email = ms[i].m->email ? ms[i].m->email : "";
            yajl_gen_map_open(g);
            yajl_gen_string(g, (const unsigned char *)"AccountId", 9);
            yajl_gen_string(g, (const unsigned char *)id, strlen(id));
            yajl_gen_string(g, (const unsigned char *)"Email", 5);
            yajl_gen_string(g, (const unsigned char *)email, strlen(email));
            yajl_gen_map_close(g);
        } else {
            yajl_gen_string(g, (const unsigned char *)id, strlen(id));
        }
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && !ya.failed) {
        out = asff__malloc(alloc, len + 1);
        if (out) {
            memcpy(out, buf, len);
            out[len] = '\0';
        }
    }
    yajl_gen_free(g);
    return out;
}

static bool needs_create(const member_state *s)
{
    return s->status[0] == '\0';
}

static bool is_enabled(const member_state *s)
{
    return strcmp(s->status, "Enabled") == 0 || strcmp(s->status, "Associated") == 0;
}

static bool needs_invite(const member_state *s)
{
    return !is_enabled(s) && strcmp(s->status, "Invited") != 0;
}

/* Accounts the answer lists as unprocessed fail with their ProcessingResult. */
static void mark_unprocessed(member_state *ms, size_t n, yajl_val tree, const char *step)
{
    yajl_val arr = array_at(tree, "UnprocessedAccounts");
    size_t i, j;
    for (i = 0; arr && i < YAJL_GET_ARRAY(arr)->len; i++) {
        yajl_val u = YAJL_GET_ARRAY(arr)->values[i];
        const char *id = str_at(u, "AccountId"), *why = str_at(u, "ProcessingResult");
        for (j = 0; id && j < n; j++) {
            if (strcmp(ms[j].m->account_id, id) == 0 && !ms[j].failed) {
                asff_error e;
                asff_error_clear(&e);
                asff__error_setf(&e, ASFF_ERR_AWS, "%s: %.200s", step, why ? why : "unprocessed");
                fail(&ms[j], step, &e);
            }
        }
    }
}

/* The administrator's members and their status (every page). */
static asff_status list_members(asff_client *admin, member_state *ms, size_t n, asff_error *err)
{
    char next[1024] = "", input[1200];
    asff_status st;
    do {
        yajl_val tree = NULL, arr;
        size_t i, j;
        if (next[0]) {
            asff_yalloc ya;
            yajl_gen g = asff__ygen_alloc(&ya, admin->alloc);
            const unsigned char *buf;
            size_t len;
            if (!g)
                return asff_error_set(err, ASFF_ERR_NOMEM, "rollout: out of memory");
            yajl_gen_map_open(g);
            yajl_gen_string(g, (const unsigned char *)"OnlyAssociated", 14);
            yajl_gen_bool(g, 0);
            yajl_gen_string(g, (const unsigned char *)"NextToken", 9);
            yajl_gen_string(g, (const unsigned char *)next, strlen(next));
            yajl_gen_map_close(g);
            yajl_gen_get_buf(g, &buf, &len);
            snprintf(input, sizeof input, "%.*s", (int)len, (const char *)buf);
            yajl_gen_free(g);
            if (ya.failed)
                return asff_error_set(err, ASFF_ERR_NOMEM, "rollout: out of memory");
        } else {
            snprintf(input, sizeof input, "{\"OnlyAssociated\":false}");
        }
        st = call(admin, ASFF_OP_ListMembers, input, &tree, err);
        if (st != ASFF_OK)
            return st;
        arr = array_at(tree, "Members");
        for (i = 0; arr && i < YAJL_GET_ARRAY(arr)->len; i++) {
            yajl_val m = YAJL_GET_ARRAY(arr)->values[i];
            const char *id = str_at(m, "AccountId"), *status = str_at(m, "MemberStatus");
            for (j = 0; id && j < n; j++)
                if (strcmp(ms[j].m->account_id, id) == 0)
                    snprintf(ms[j].status, sizeof ms[j].status, "%s", status ? status : "Created");
        }
        {
            const char *t = str_at(tree, "NextToken");
            snprintf(next, sizeof next, "%s", t && strlen(t) < sizeof next ? t : "");
        }
        asff__json_free(tree, admin->alloc);
    } while (next[0]);
    return ASFF_OK;
}

/* From the member: find the administrator's invitation and accept it. */
static void accept_invitation(member_state *s, const char *admin)
{
    yajl_val tree = NULL, arr;
    char id[256] = "", input[512];
    asff_error e;
    size_t i;
    if (call(s->c, ASFF_OP_ListInvitations, NULL, &tree, &e) != ASFF_OK) {
        fail(s, "list-invitations", &e);
        return;
    }
    arr = array_at(tree, "Invitations");
    for (i = 0; arr && i < YAJL_GET_ARRAY(arr)->len; i++) {
        yajl_val inv = YAJL_GET_ARRAY(arr)->values[i];
        const char *acc = str_at(inv, "AccountId"), *iid = str_at(inv, "InvitationId");
        if (acc && iid && strcmp(acc, admin) == 0 && strlen(iid) < sizeof id && !strpbrk(iid, "\"\\"))
            snprintf(id, sizeof id, "%s", iid);
    }
    asff__json_free(tree, s->c->alloc);
    if (!id[0]) {
        asff_error_clear(&e);
        asff__error_setf(&e, ASFF_ERR_NOT_FOUND, "no invitation from the administrator account %s", admin);
        fail(s, "list-invitations", &e);
        return;
    }
    snprintf(input, sizeof input, "{\"AdministratorId\":\"%s\",\"InvitationId\":\"%s\"}", admin, id);
    if (call(s->c, ASFF_OP_AcceptAdministratorInvitation, input, NULL, &e) != ASFF_OK) {
        fail(s, "accept", &e);
        return;
    }
    add_action(s->actions, "accepted");
}

/* Is admin already the organization's Security Hub administrator? (*yes false when it cannot be told;
 * only running out of memory is an error) */
static asff_status org_admin_enabled(asff_client *base, const char *admin, bool *yes, asff_error *err)
{
    yajl_val tree = NULL, arr;
    asff_status st;
    size_t i;
    *yes = false;
    st = call(base, ASFF_OP_ListOrganizationAdminAccounts, NULL, &tree, err);
    if (st != ASFF_OK)
        return st == ASFF_ERR_NOMEM ? st : ASFF_OK;
    arr = array_at(tree, "AdminAccounts");
    for (i = 0; arr && i < YAJL_GET_ARRAY(arr)->len; i++) {
        yajl_val v = YAJL_GET_ARRAY(arr)->values[i];
        const char *id = str_at(v, "AccountId"), *status = str_at(v, "Status");
        if (id && strcmp(id, admin) == 0 && (!status || strcmp(status, "ENABLED") == 0))
            *yes = true;
    }
    asff__json_free(tree, base->alloc);
    return ASFF_OK;
}

/* Is AutoEnable already on? (*yes false when it cannot be told; only running out of memory is an error) */
static asff_status auto_enabled(asff_client *admin, bool *yes, asff_error *err)
{
    yajl_val tree = NULL;
    const char *path[] = {"AutoEnable", NULL};
    asff_status st;
    *yes = false;
    st = call(admin, ASFF_OP_DescribeOrganizationConfiguration, NULL, &tree, err);
    if (st != ASFF_OK)
        return st == ASFF_ERR_NOMEM ? st : ASFF_OK;
    *yes = yajl_tree_get(tree, path, yajl_t_true) != NULL;
    asff__json_free(tree, admin->alloc);
    return ASFF_OK;
}

/* worst: ASFF_OK, then ASFF_ERR_PARTIAL once a line failed, ASFF_ERR_NOMEM once one ran out of memory. */
static void emit(const asff_rollout_options *o, const char *account, const char *region, bool admin, bool ok,
                 const char *actions, const char *step, const asff_error *e, asff_status *worst)
{
    asff_rollout_line l;
    l.account_id = account;
    l.region = region;
    l.administrator = admin;
    l.ok = ok;
    l.actions = actions;
    l.failed_step = ok ? NULL : step;
    l.error = ok ? NULL : e;
    if (!ok && e->code == ASFF_ERR_NOMEM)
        *worst = ASFF_ERR_NOMEM;
    else if (!ok && *worst == ASFF_OK)
        *worst = ASFF_ERR_PARTIAL;
    if (o->on_line)
        o->on_line(o->ctx, &l);
}

static char *role_arn(const char *partition, const char *account, const char *role, char *out, size_t size)
{
    snprintf(out, size, "arn:%s:iam::%s:role/%s", partition, account, role);
    return out;
}

/* The step that made members in need of it fail: its call failed with e, or its body (NULL) could not be
 * built. */
static void fail_needy(member_state *ms, size_t n, bool (*want)(const member_state *), const char *step,
                       const asff_error *e)
{
    asff_error nomem;
    size_t i;
    if (!e) {
        asff_error_clear(&nomem);
        asff_error_set(&nomem, ASFF_ERR_NOMEM, "out of memory");
        e = &nomem;
    }
    for (i = 0; i < n; i++)
        if (want(&ms[i]))
            fail(&ms[i], step, e);
}

/* CreateMembers or InviteMembers for the members that want it; those done get action and status. */
static void members_call(asff_client *admin, asff_operation op, member_state *ms, size_t n, const char *key,
                         bool (*want)(const member_state *), bool details, const char *step, const char *action,
                         const char *status)
{
    size_t i, cnt;
    char *body = body_for(admin->alloc, ms, n, key, want, details, &cnt);
    yajl_val tree = NULL;
    asff_error e;
    if (!cnt)
        ;
    else if (!body)
        fail_needy(ms, n, want, step, NULL);
    else if (call(admin, op, body, &tree, &e) != ASFF_OK)
        fail_needy(ms, n, want, step, &e);
    else {
        mark_unprocessed(ms, n, tree, step);
        for (i = 0; i < n; i++)
            if (want(&ms[i]) && !ms[i].failed) {
                add_action(ms[i].actions, action);
                snprintf(ms[i].status, sizeof ms[i].status, "%s", status);
            }
    }
    asff__json_free(tree, admin->alloc);
    asff__free(admin->alloc, body);
}

/* The organization form: the management account (the caller) delegates; the administrator turns on
 * auto-enable. The failed step, or NULL. */
static const char *organization_steps(const asff_rollout_options *o, const char *region, const char *admin_id,
                                      asff_client *admin, asff_client **base, char *admin_actions, asff_error *e)
{
    char input[256];
    bool yes;
    snprintf(input, sizeof input, "{\"AdminAccountId\":\"%s\"}", admin_id);
    if (make_client(o, region, NULL, base, e) != ASFF_OK || org_admin_enabled(*base, admin_id, &yes, e) != ASFF_OK)
        return "org-admin";
    if (yes)
        ; /* already delegated */
    else if (call(*base, ASFF_OP_EnableOrganizationAdminAccount, input, NULL, e) == ASFF_OK)
        add_action(admin_actions, "org-admin-enabled");
    else if (is_code(e, "ResourceConflictException") || is_code(e, "InvalidInputException"))
        asff_error_clear(e); /* already the administrator */
    else
        return "org-admin";
    if (auto_enabled(admin, &yes, e) != ASFF_OK)
        return "org-config";
    if (!yes) {
        if (call(admin, ASFF_OP_UpdateOrganizationConfiguration, "{\"AutoEnable\":true}", NULL, e) != ASFF_OK)
            return "org-config";
        add_action(admin_actions, "auto-enable");
    }
    return NULL;
}

/* One region: the administrator first, then the members. */
static void run_region(const asff_rollout_options *o, const char *region, const char *admin_id, bool admin_is_caller,
                       member_state *ms, size_t n, asff_status *worst)
{
    asff_client *admin = NULL, *base = NULL;
    char admin_actions[ACTIONS_SIZE] = "", arn[300];
    const char *part = asff_aws_partition(region);
    asff_error e, admin_err;
    const char *admin_step = NULL;
    size_t i;
    asff_error_clear(&admin_err);
    for (i = 0; i < n; i++) {
        ms[i].c = NULL;
        ms[i].status[0] = ms[i].actions[0] = '\0';
        ms[i].failed = NULL;
        asff_error_clear(&ms[i].err);
    }
    /* The administrator: the caller, or entered through role_name. */
    if (make_client(o, region, admin_is_caller ? NULL : role_arn(part, admin_id, o->role_name, arn, sizeof arn),
                    &admin, &admin_err) != ASFF_OK)
        admin_step = "assume-role";
    else if (enable_hub(admin, admin_actions, &admin_err) != ASFF_OK)
        admin_step = strncmp(admin_err.message, "sts ", 4) == 0 ? "assume-role" : "enable-hub";
    if (!admin_step && o->organization)
        admin_step = organization_steps(o, region, admin_id, admin, &base, admin_actions, &admin_err);
    if (!admin_step && list_members(admin, ms, n, &admin_err) != ASFF_OK)
        admin_step = "list-members";
    emit(o, admin_id, region, true, admin_step == NULL, admin_actions, admin_step, &admin_err, worst);

    /* Each member's own hub, in its own account. */
    for (i = 0; i < n && o->role_name; i++) { /* without a role (organization form), auto-enable does it */
        if (make_client(o, region, role_arn(part, ms[i].m->account_id, o->role_name, arn, sizeof arn), &ms[i].c,
                        &e) != ASFF_OK)
            fail(&ms[i], "assume-role", &e);
        else if (enable_hub(ms[i].c, ms[i].actions, &e) != ASFF_OK)
            fail(&ms[i], strncmp(e.message, "sts ", 4) == 0 ? "assume-role" : "enable-hub", &e);
    }
    if (admin_step) {
        asff_error_clear(&e);
        asff__error_setf(&e, ASFF_ERR_STATE, "the administrator account failed in this region (%s)", admin_step);
        for (i = 0; i < n; i++)
            fail(&ms[i], "create-member", &e);
    } else {
        /* Members the administrator lacks, then invitations for those not yet invited. */
        members_call(admin, ASFF_OP_CreateMembers, ms, n, "AccountDetails", needs_create, true, "create-member",
                     "member-created", "Created");
        if (!o->organization) {
            members_call(admin, ASFF_OP_InviteMembers, ms, n, "AccountIds", needs_invite, false, "invite", "invited",
                         "Invited");
            for (i = 0; i < n; i++)
                if (!ms[i].failed && ms[i].c && !is_enabled(&ms[i]))
                    accept_invitation(&ms[i], admin_id);
        }
    }
    for (i = 0; i < n; i++) {
        emit(o, ms[i].m->account_id, region, false, ms[i].failed == NULL, ms[i].actions, ms[i].failed, &ms[i].err,
             worst);
        asff_client_free(ms[i].c);
        ms[i].c = NULL;
    }
    asff_client_free(admin);
    asff_client_free(base);
}

/* --dry-run: the calls of run_region when nothing is done yet, told to on_call; nothing is sent.
 * bytes: the request body as it would be built (AcceptAdministratorInvitation without the
 * InvitationId, which ListInvitations would give). */
static void tell(const asff_rollout_options *o, const char *op, const char *region, const char *account, size_t bytes)
{
    asff_call_info ci = {op, region, account, 0, bytes, false};
    if (o->on_call)
        o->on_call(o->ctx, &ci);
}

/* The size of the body of CreateMembers or InviteMembers, told to on_call; false: out of memory. */
static bool tell_members_call(const asff_rollout_options *o, const asff_allocator *alloc, const char *op,
                              const char *region, const char *admin, member_state *ms, size_t n, const char *key,
                              bool (*want)(const member_state *), bool details)
{
    size_t cnt;
    char *body = body_for(alloc, ms, n, key, want, details, &cnt);
    if (cnt && !body)
        return false;
    if (cnt)
        tell(o, op, region, admin, strlen(body));
    asff__free(alloc, body);
    return true;
}

static asff_status plan_region(const asff_rollout_options *o, const asff_allocator *alloc, const char *region,
                               const char *admin, member_state *ms, size_t n)
{
    char input[256];
    size_t i;
    static const char enable[] = "{\"EnableDefaultStandards\":true}";
    tell(o, "DescribeHub", region, admin, 0);
    tell(o, "EnableSecurityHub", region, admin, sizeof enable - 1);
    if (o->organization) {
        tell(o, "ListOrganizationAdminAccounts", region, NULL, 0);
        tell(o, "EnableOrganizationAdminAccount", region, NULL,
             (size_t)snprintf(input, sizeof input, "{\"AdminAccountId\":\"%s\"}", admin ? admin : "000000000000"));
        tell(o, "DescribeOrganizationConfiguration", region, admin, 0);
        tell(o, "UpdateOrganizationConfiguration", region, admin, strlen("{\"AutoEnable\":true}"));
    }
    tell(o, "ListMembers", region, admin, strlen("{\"OnlyAssociated\":false}"));
    for (i = 0; i < n && o->role_name; i++) {
        tell(o, "sts:AssumeRole", region, ms[i].m->account_id, 0);
        tell(o, "DescribeHub", region, ms[i].m->account_id, 0);
        tell(o, "EnableSecurityHub", region, ms[i].m->account_id, sizeof enable - 1);
    }
    if (!tell_members_call(o, alloc, "CreateMembers", region, admin, ms, n, "AccountDetails", needs_create, true))
        return ASFF_ERR_NOMEM;
    if (o->organization)
        return ASFF_OK;
    if (!tell_members_call(o, alloc, "InviteMembers", region, admin, ms, n, "AccountIds", needs_invite, false))
        return ASFF_ERR_NOMEM;
    for (i = 0; i < n && o->role_name; i++) {
        tell(o, "ListInvitations", region, ms[i].m->account_id, 0);
        tell(o, "AcceptAdministratorInvitation", region, ms[i].m->account_id,
             (size_t)snprintf(input, sizeof input, "{\"AdministratorId\":\"%s\",\"InvitationId\":\"\"}",
                              admin ? admin : "000000000000"));
    }
    return ASFF_OK;
}

/* The members' states, zeroed, on alloc (NULL: out of memory). */
static member_state *states_new(const asff_allocator *alloc, const asff_rollout_member *members, size_t count)
{
    member_state *ms = asff__malloc(alloc, (count ? count : 1) * sizeof *ms);
    size_t i;
    if (!ms)
        return NULL;
    memset(ms, 0, (count ? count : 1) * sizeof *ms);
    for (i = 0; i < count; i++)
        ms[i].m = &members[i];
    return ms;
}

asff_status asff_rollout(const asff_rollout_member *members, size_t count, const asff_rollout_options *o,
                         asff_error *err)
{
    static const asff_client_options def = ASFF_CLIENT_OPTIONS_INIT;
    const asff_client_options *co;
    const asff_allocator *alloc;
    asff_aws_options ao = ASFF_AWS_OPTIONS_INIT;
    asff_caller_identity id;
    asff_aws *aws = NULL;
    member_state *ms;
    char admin[16];
    bool admin_is_caller;
    size_t i;
    asff_status st = ASFF_OK;
    if (!o || o->version < 1 || o->version > ASFF_ROLLOUT_OPTIONS_VERSION || !o->regions || !o->region_count ||
        (count && !members))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "rollout: no options, regions or members");
    if (!o->role_name && !o->organization)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "rollout: a role name is needed to enter the member accounts");
    if (o->role_name && (!o->role_name[0] || strpbrk(o->role_name, "\"\\ :")))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "rollout: the role name is malformed");
    for (i = 0; i < count; i++)
        if (!valid_account(members[i].account_id))
            return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "rollout: member %zu: the account id is not 12 digits",
                                   i + 1);
    if (o->administrator_account && !valid_account(o->administrator_account))
        return asff_error_set(err, ASFF_ERR_INVALID_ARG, "rollout: the administrator account id is not 12 digits");
    co = o->client ? o->client : &def;
    alloc = asff__alloc_or_default(co->allocator);
    if (o->version >= 2 && o->dry_run) {
        ms = states_new(alloc, members, count);
        for (i = 0; ms && st == ASFF_OK && i < o->region_count; i++)
            st = plan_region(o, alloc, o->regions[i], o->administrator_account, ms, count);
        asff__free(alloc, ms);
        if (!ms || st != ASFF_OK)
            return asff_error_set(err, ASFF_ERR_NOMEM, "rollout: out of memory");
        return ASFF_OK;
    }
    /* Whose are the base credentials? */
    if (co->aws)
        ao = *co->aws;
    ao.profile = co->profile ? co->profile : ao.profile;
    ao.region = co->region ? co->region : o->regions[0];
    ao.allocator = alloc;
    st = asff_aws_new(&ao, &aws, err);
    if (st == ASFF_OK)
        st = asff_aws_caller_identity(aws, &id, err);
    asff_aws_free(aws);
    if (st != ASFF_OK)
        return st;
    snprintf(admin, sizeof admin, "%s", o->administrator_account ? o->administrator_account : id.account);
    admin_is_caller = strcmp(admin, id.account) == 0;
    if (!admin_is_caller && !o->role_name)
        return asff_error_set(err, ASFF_ERR_INVALID_ARG,
                              "rollout: the administrator account is not the caller's and there is no role to enter it");
    ms = states_new(alloc, members, count);
    if (!ms)
        return asff_error_set(err, ASFF_ERR_NOMEM, "rollout: out of memory");
    for (i = 0; i < o->region_count; i++)
        run_region(o, o->regions[i], admin, admin_is_caller, ms, count, &st);
    asff__free(alloc, ms);
    if (st == ASFF_ERR_NOMEM)
        return asff_error_set(err, ASFF_ERR_NOMEM, "rollout: out of memory (see the failed lines)");
    if (st != ASFF_OK)
        return asff_error_set(err, ASFF_ERR_PARTIAL, "rollout: some accounts or regions failed (see their lines)");
    return ASFF_OK;
}
