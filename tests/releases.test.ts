import { strict as assert } from "assert";
import { RELEASE_NAMES, releaseWaits } from "../components/k8s/releases";
import { AIRFLOW_SECRET_NAMES } from "../components/vault/vso";
import { inputsOf, ofType, shippedPlan, STACKS, variantPlan } from "./support/plans";
import type { Plan } from "../plan/run";

const RELEASE = "kubernetes:helm.sh/v3:Release";

function releases(plan: Plan) {
    return ofType(plan, RELEASE).map((r) => ({ resource: r, inputs: inputsOf(r) }));
}

describe("helm releases: every wait is a stated decision", () => {
    for (const stack of STACKS) {
        it(`${stack}: each Release of the plan has its row (why it waits or not, timeout, what it waits for, hooks) and follows it`, async () => {
            const plan = await shippedPlan(stack);
            const table = releaseWaits(plan.config);
            const inPlan = releases(plan);
            assert.deepEqual(inPlan.map((r) => r.inputs.name).sort(), [...RELEASE_NAMES].sort(), "the table lists exactly the plan's releases");
            for (const { inputs } of inPlan) {
                const row = table[inputs.name as keyof typeof table];
                for (const field of ["why", "waitsFor", "hooks"] as const) assert.ok(row[field].length > 10, `${inputs.name}: ${field} is stated`);
                assert.ok(Number.isInteger(row.timeoutSeconds) && row.timeoutSeconds >= 300, `${inputs.name}: a timeout of at least Pulumi's default`);
                assert.equal(inputs.timeout, row.timeoutSeconds, `${inputs.name}: timeout`);
                assert.equal(inputs.skipAwait ?? false, row.skipAwait, `${inputs.name}: skipAwait`);
            }
        });

        it(`${stack}: no waiting release depends on a post-install hook, and none waits on a secret only people write`, async () => {
            const plan = await shippedPlan(stack);
            const airflow = releases(plan).find((r) => r.inputs.name === "airflow")!.inputs;
            // Helm runs post-install hooks only after its wait (chart/templates/jobs/migrate-database-job.yaml).
            assert.equal(airflow.values.migrateDatabaseJob.useHelmHooks, false);
            assert.equal(airflow.values.createUserJob.enabled, false);
            // git-sync cannot start without a credential only people write: such a release must not wait.
            const needsPeopleSecret =
                airflow.values.dags.gitSync.credentialsSecret === AIRFLOW_SECRET_NAMES.git ||
                airflow.values.dags.gitSync.sshKeySecret === AIRFLOW_SECRET_NAMES.git;
            assert.equal(airflow.skipAwait ?? false, needsPeopleSecret);
            // Its OIDC client secret is optional: it never blocks the API server.
            assert.equal(airflow.values.apiServer.extraVolumes.find((v: any) => v.secret?.secretName === AIRFLOW_SECRET_NAMES.oidc).secret.optional, true);
            // ...and once VSO creates it, Reloader (reloadOnCreate) restarts the API server that names it.
            const reloader = releases(plan).find((r) => r.inputs.name === "reloader")!.inputs;
            assert.equal(reloader.values.reloader.reloadOnCreate, true);
            assert.equal(airflow.values.apiServer.annotations["secret.reloader.stakater.com/reload"], AIRFLOW_SECRET_NAMES.oidc);
        });
    }

    it("a public DAG repository (no credential): the Airflow release waits, with its migrations as a plain Job", async () => {
        const plan = await variantPlan("staging", (c) => {
            c["dataplatform:airflow"].dags.credential = "none";
        });
        const airflow = releases(plan).find((r) => r.inputs.name === "airflow")!.inputs;
        assert.equal(airflow.skipAwait ?? false, false);
        assert.equal(airflow.timeout, 1200);
        assert.equal(airflow.values.migrateDatabaseJob.useHelmHooks, false);
    });
});
