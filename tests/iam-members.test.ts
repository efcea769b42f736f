import { strict as assert } from "assert";
import { inputsOf, shippedPlan, STACKS } from "./support/plans";

const EMAIL = "[^\\s:@]+@[^\\s:@]+";
const form = (prefix: string) => new RegExp(`^${prefix}:${EMAIL}$`);
const USER = form("user");
const GROUP = form("group");
const SA = form("serviceAccount");
const DOMAIN = /^domain:[a-z0-9.-]+$/;
/** Workload Identity Federation principals (https://cloud.google.com/iam/docs/principal-identifiers): one subject, or a set. */
const PRINCIPAL = /^principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9.-]+\/subject\/\S+$/;
const PRINCIPAL_SET =
    /^principalSet:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9.-]+\/(group\/\S+|attribute\.[a-z_]+\/\S+|\*)$/;
/** GKE Workload Identity with an impersonated service account: the KSA as `serviceAccount:PROJECT.svc.id.goog[ns/ksa]`. */
const GKE_KSA = /^serviceAccount:[a-z0-9-]+\.svc\.id\.goog\[[a-z0-9-]+\/[a-z0-9-]+\]$/;
/** The standard IAM member forms of Cloud IAM policies. */
const IAM_POLICY = [USER, GROUP, SA, DOMAIN, PRINCIPAL, PRINCIPAL_SET, GKE_KSA];

/**
 * Member forms each receiving resource type accepts, with the provider's rule. A form outside its list is
 * refused at apply time (dataset IAM) or by the IAM API.
 */
const ACCEPTED: Record<string, { field: string; forms: RegExp[]; rule: string }> = {
    "gcp:bigquery/datasetIamMember:DatasetIamMember": {
        field: "member",
        // Dataset IAM is written as dataset access entries, keyed by member type: group/domain/user/serviceAccount,
        // the special groups, or iamMember for anything else. A bare `principal://` splits at ":" into an unknown type.
        // terraform-provider-google google/services/bigquery/iam_bigquery_dataset.go, iamMemberToAccess;
        // @pulumi/gcp bigquery/datasetIamMember.d.ts: federated identities are written `iamMember:{principal}`.
        forms: [USER, GROUP, SA, DOMAIN, /^iamMember:principal(Set)?:\/\/\S+$/, /^(projectOwners|projectReaders|projectWriters|allAuthenticatedUsers)$/],
        rule: "iam_bigquery_dataset.go iamMemberToAccess",
    },
    "gcp:storage/bucketIAMMember:BucketIAMMember": {
        field: "member",
        // @pulumi/gcp storage/bucketIAMMember.d.ts (member): allUsers, allAuthenticatedUsers, user:, serviceAccount:, group:, domain:,
        // projectOwner:/projectEditor:/projectViewer:, principal:// and principalSet:// federated identities.
        forms: [...IAM_POLICY, /^(allUsers|allAuthenticatedUsers)$/, /^project(Owner|Editor|Viewer):[a-z0-9-]+$/],
        rule: "storage/bucketIAMMember.d.ts member",
    },
    "gcp:projects/iAMMember:IAMMember": {
        field: "member",
        // @pulumi/gcp projects/iammember.d.ts (member): user:, serviceAccount:, group:, domain:, principal://, principalSet://.
        forms: IAM_POLICY,
        rule: "projects/iammember.d.ts member",
    },
    "gcp:serviceaccount/iAMMember:IAMMember": {
        field: "member",
        // @pulumi/gcp serviceaccount/iammember.d.ts (member); Workload Identity KSAs bind as serviceAccount:PROJECT.svc.id.goog[ns/ksa].
        forms: IAM_POLICY,
        rule: "serviceaccount/iammember.d.ts member",
    },
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": {
        field: "member",
        // @pulumi/gcp kms/cryptoKeyIAMMember.d.ts (member): the Cloud IAM policy forms.
        forms: IAM_POLICY,
        rule: "kms/cryptoKeyIAMMember.d.ts member",
    },
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": {
        field: "member",
        // @pulumi/gcp artifactregistry/repositoryIamMember.d.ts (member): the Cloud IAM policy forms.
        forms: IAM_POLICY,
        rule: "artifactregistry/repositoryIamMember.d.ts member",
    },
};

describe("IAM member forms accepted by the receiving resource type", () => {
    it("the table rejects the forms each provider refuses", () => {
        const ok = (type: string, m: string) => ACCEPTED[type].forms.some((f) => f.test(m));
        const p = "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/subject/ns/airflow/sa/airflow";
        assert.equal(ok("gcp:bigquery/datasetIamMember:DatasetIamMember", p), false);
        assert.equal(ok("gcp:bigquery/datasetIamMember:DatasetIamMember", `iamMember:${p}`), true);
        assert.equal(ok("gcp:storage/bucketIAMMember:BucketIAMMember", p), true);
        assert.equal(ok("gcp:storage/bucketIAMMember:BucketIAMMember", `iamMember:${p}`), false);
        assert.equal(ok("gcp:projects/iAMMember:IAMMember", "allUsers"), false);
    });

    for (const stack of STACKS) {
        it(`${stack}: every IAM member has a form its resource type accepts`, async () => {
            const plan = await shippedPlan(stack);
            const iamTypes = new Set(plan.resources.filter((r) => /iam(member|binding)/i.test(r.type)).map((r) => r.type));
            for (const t of iamTypes) assert.ok(ACCEPTED[t], `${t}: no row in the member-form table`);
            const bad: string[] = [];
            let checked = 0;
            for (const r of plan.resources) {
                const row = ACCEPTED[r.type];
                if (!row) continue;
                const member = String(inputsOf(r)[row.field]);
                checked++;
                if (!row.forms.some((f) => f.test(member))) bad.push(`${r.urn}: ${member} (${row.rule})`);
            }
            assert.ok(checked > 5, `only ${checked} IAM members checked`);
            assert.deepEqual(bad, []);
        });
    }
});
