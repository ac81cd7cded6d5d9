/*
 * The documented ASFF rules that the Security Hub API model does not carry (docs/reference/rules.md §3-§10),
 * keyed by (type, member): a rule on Malware.Name holds wherever a Malware object appears. The
 * model's own constraints (required, enums, min/max) come from the generated tables.
 * Sorted by (type id, member offset) so that the walk merges it with the members in one pass
 * (tests/test_validate.c checks the order).
 */
#include <stddef.h>
#include "vinternal.h"

#define R(T, m, c, lo, hi, ref) {ASFF_TID_##T, (uint32_t)offsetof(asff_##T, m), #m, c, lo, hi, ref}

const v_rule asff__v_rules[] = {
    R(ActionLocalPortDetails, PortName, V_LEN, 1, 128, "FLD-35"),
    R(ActionRemotePortDetails, PortName, V_LEN, 1, 128, "FLD-35"),
    R(AwsApiCallAction, Api, V_LEN, 1, 128, "FLD-35"),
    R(AwsApiCallAction, ServiceName, V_LEN, 1, 128, "FLD-35"),
    R(AwsApiCallActionDomainDetails, Domain, V_LEN, 1, 128, "FLD-35"),
    R(AwsSecurityFinding, SchemaVersion, V_SCHEMA, 0, 0, "FLD-1"),
    R(AwsSecurityFinding, Id, V_LEN, 1, 512, "FLD-2"),
    R(AwsSecurityFinding, ProductArn, V_LEN, 12, 2048, "FLD-3"),
    R(AwsSecurityFinding, ProductArn, V_ARN, 0, 0, "ID-14"),
    R(AwsSecurityFinding, ProductName, V_LEN, 1, 128, "FLD-7"),
    R(AwsSecurityFinding, CompanyName, V_LEN, 1, 128, "FLD-7"),
    R(AwsSecurityFinding, Region, V_LEN, 1, 16, "FLD-8"),
    R(AwsSecurityFinding, GeneratorId, V_LEN, 1, 512, "FLD-4"),
    R(AwsSecurityFinding, AwsAccountId, V_ACCOUNT, 12, 12, "ID-5"),
    R(AwsSecurityFinding, Types, V_COUNT, 0, 50, "FLD-11"),
    R(AwsSecurityFinding, Types, V_TYPES, 0, 0, "TY-5"),
    R(AwsSecurityFinding, FirstObservedAt, V_TS, 0, 0, "TS-10"),
    R(AwsSecurityFinding, LastObservedAt, V_TS, 0, 0, "TS-10"),
    R(AwsSecurityFinding, CreatedAt, V_TS, 0, 0, "TS-10"),
    R(AwsSecurityFinding, UpdatedAt, V_TS, 0, 0, "TS-10"),
    R(AwsSecurityFinding, Confidence, V_RANGE, 0, 100, "FLD-16"),
    R(AwsSecurityFinding, Criticality, V_RANGE, 0, 100, "FLD-16"),
    R(AwsSecurityFinding, Title, V_LEN, 1, 256, "FLD-9"),
    R(AwsSecurityFinding, Description, V_LEN, 1, 1024, "FLD-10"),
    R(AwsSecurityFinding, ProductFields, V_COUNT, 0, 50, "FLD-19"),
    R(AwsSecurityFinding, ProductFields, V_KEYLEN, 1, 128, "FLD-19"),
    R(AwsSecurityFinding, ProductFields, V_VALLEN, 1, 2048, "FLD-19"),
    R(AwsSecurityFinding, UserDefinedFields, V_COUNT, 0, 50, "FLD-20"),
    R(AwsSecurityFinding, UserDefinedFields, V_KEYLEN, 1, 128, "FLD-20"),
    R(AwsSecurityFinding, UserDefinedFields, V_VALLEN, 1, 1024, "FLD-20"),
    R(AwsSecurityFinding, Malware, V_COUNT, 0, 5, "FLD-22"),
    R(AwsSecurityFinding, Threats, V_COUNT, 1, 32, "FLD-26"),
    R(AwsSecurityFinding, ThreatIntelIndicators, V_COUNT, 1, 5, "FLD-27"),
    R(AwsSecurityFinding, Resources, V_COUNT, 1, 32, "REQ-6"),
    R(AwsSecurityFinding, RelatedFindings, V_COUNT, 1, 10, "FLD-28"),
    R(AwsSecurityFinding, ProcessedAt, V_TS, 0, 0, "TS-10"),
    R(AwsSecurityFinding, AwsAccountName, V_LEN, 1, 50, "FLD-6"),
    R(Compliance, RelatedRequirements, V_COUNT, 0, 32, "FLD-29"),
    R(DnsRequestAction, Domain, V_LEN, 1, 128, "FLD-35"),
    R(DnsRequestAction, Protocol, V_LEN, 1, 64, "FLD-35"),
    R(FilePaths, FilePath, V_LEN, 1, 128, "FLD-26"),
    R(FilePaths, FileName, V_LEN, 1, 128, "FLD-26"),
    R(FilePaths, ResourceId, V_LEN, 1, 128, "FLD-26"),
    R(FilePaths, Hash, V_LEN, 1, 128, "FLD-26"),
    R(FindingProviderFields, RelatedFindings, V_COUNT, 1, 10, "FLD-28"),
    R(FindingProviderFields, Types, V_COUNT, 0, 50, "FLD-11"),
    R(FindingProviderFields, Types, V_TYPES, 0, 0, "TY-5"),
    R(FindingProviderSeverity, Original, V_LEN, 1, 64, "FLD-12"),
    R(GeneratorDetails, Labels, V_COUNT, 0, 10, "FLD-37"),
    R(Malware, Name, V_LEN, 1, 64, "FLD-22"),
    R(Malware, Path, V_LEN, 1, 512, "FLD-22"),
    R(Network, Protocol, V_LEN, 1, 16, "FLD-23"),
    R(Network, SourceDomain, V_LEN, 1, 128, "FLD-23"),
    R(Network, DestinationDomain, V_LEN, 1, 128, "FLD-23"),
    R(NetworkConnectionAction, Protocol, V_LEN, 1, 64, "FLD-35"),
    R(NetworkHeader, Protocol, V_LEN, 1, 16, "FLD-24"),
    R(NetworkPathComponent, ComponentId, V_LEN, 1, 32, "FLD-24"),
    R(NetworkPathComponent, ComponentType, V_LEN, 1, 32, "FLD-24"),
    R(Note, Text, V_LEN, 1, 512, "FLD-21"),
    R(Note, UpdatedAt, V_TS, 0, 0, "TS-10"),
    R(PatchSummary, Id, V_LEN, 1, 256, "FLD-34"),
    R(PatchSummary, InstalledCount, V_RANGE, 0, 100000, "FLD-34"),
    R(PatchSummary, MissingCount, V_RANGE, 0, 100000, "FLD-34"),
    R(PatchSummary, FailedCount, V_RANGE, 0, 100000, "FLD-34"),
    R(PatchSummary, InstalledOtherCount, V_RANGE, 0, 100000, "FLD-34"),
    R(PatchSummary, InstalledRejectedCount, V_RANGE, 0, 100000, "FLD-34"),
    R(PatchSummary, InstalledPendingReboot, V_RANGE, 0, 100000, "FLD-34"),
    R(PatchSummary, OperationStartTime, V_TS, 0, 0, "TS-10"),
    R(PatchSummary, OperationEndTime, V_TS, 0, 0, "TS-10"),
    R(PatchSummary, RebootOption, V_LEN, 1, 256, "FLD-34"),
    R(PatchSummary, Operation, V_LEN, 1, 256, "FLD-34"),
    R(ProcessDetails, Name, V_LEN, 1, 64, "FLD-25"),
    R(ProcessDetails, Path, V_LEN, 1, 512, "FLD-25"),
    R(ProcessDetails, ParentPid, V_RANGE, 0, 2147483647, "FLD-25"),
    R(ProcessDetails, LaunchedAt, V_TS, 0, 0, "TS-10"),
    R(ProcessDetails, TerminatedAt, V_TS, 0, 0, "TS-10"),
    R(Recommendation, Text, V_LEN, 1, 512, "FLD-17"),
    R(Resource, Type, V_LEN, 1, 256, "RES-1"),
    R(Resource, Region, V_LEN, 1, 16, "RES-6"),
    R(Resource, Tags, V_TAGS, 0, 256, "RES-7"),
    R(ResourceDetails, Other, V_VALLEN, 1, 1024, "RES-8"),
    R(Severity, Normalized, V_RANGE, 0, 100, "FLD-14"),
    R(Severity, Original, V_LEN, 1, 64, "FLD-12"),
    R(Threat, Name, V_LEN, 1, 128, "FLD-26"),
    R(Threat, Severity, V_LEN, 1, 128, "FLD-26"),
    R(Threat, FilePaths, V_COUNT, 1, 5, "FLD-26"),
    R(ThreatIntelIndicator, Value, V_LEN, 1, 512, "FLD-27"),
    R(ThreatIntelIndicator, LastObservedAt, V_TS, 0, 0, "TS-10"),
    R(ThreatIntelIndicator, Source, V_LEN, 1, 64, "FLD-27"),
    R(VulnerabilityVendor, VendorCreatedAt, V_TS, 0, 0, "TS-10"),
    R(VulnerabilityVendor, VendorUpdatedAt, V_TS, 0, 0, "TS-10"),
};

const size_t asff__v_rule_count = sizeof asff__v_rules / sizeof asff__v_rules[0];

const v_rule *asff__v_rules_of(unsigned tid, size_t *count)
{
    size_t lo = 0, hi = asff__v_rule_count, end;
    while (lo < hi) {  /* first entry with tid >= the one asked for */
        size_t mid = lo + (hi - lo) / 2;
        if (asff__v_rules[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (end = lo; end < asff__v_rule_count && asff__v_rules[end].tid == tid; end++)
        ;
    *count = end - lo;
    return &asff__v_rules[lo];
}
