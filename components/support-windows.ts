import { CHARTS, ChartKey, IMAGES, ImageKey } from "./versions";

/**
 * How long each pinned platform version is supported upstream, with where the date comes from.
 * Config validation rejects a version past its end; the plan warns WARN_DAYS before.
 *
 * basis:
 * - "published": the vendor publishes this date for this version.
 * - "policy": computed from the project's published support policy (the rule is in `note`).
 * - "recheck": the project publishes no end date (it fixes its latest release only); the date is the
 *   deadline by which this pin must be checked again, at most six months after `read`.
 */
export interface SupportWindow {
    /** Version line the row covers: a minor ("1.35", "4.3") or an exact version. */
    line: string;
    /** Last day of (standard) support, YYYY-MM-DD. */
    end: string;
    basis: "published" | "policy" | "recheck";
    source: string;
    /** Day the source was read, YYYY-MM-DD. */
    read: string;
    note?: string;
    /** A past-end version kept on purpose until `until`, with the reason; the plan warns every day of it. */
    accepted?: { until: string; reason: string };
}

export type Subject = "gke" | "eks" | "kafka" | `chart:${ChartKey}` | `image:${ImageKey}`;

const READ = "2026-11-29";
const RECHECK = "2027-05-29";
const latestOnly = (what: string) => `${what} publishes no end date and fixes only its latest release; re-check this pin by the date`;

export const SUPPORT_WINDOWS: Readonly<Record<Subject, readonly SupportWindow[]>> = {
    // GKE "end of standard support" per minor (release schedule table; endoflife.date mirrors it).
    gke: [
        { line: "1.33", end: "2026-08-03", basis: "published", source: "https://cloud.google.com/kubernetes-engine/docs/release-schedule", read: READ },
        { line: "1.34", end: "2026-10-01", basis: "published", source: "https://cloud.google.com/kubernetes-engine/docs/release-schedule", read: READ },
        { line: "1.35", end: "2027-04-11", basis: "published", source: "https://cloud.google.com/kubernetes-engine/docs/release-schedule", read: READ },
    ],
    // EKS "end of standard support" per minor (Kubernetes release calendar).
    eks: [
        {
            line: "1.33",
            end: "2026-07-29",
            basis: "published",
            source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
            read: READ,
        },
        {
            line: "1.34",
            end: "2026-12-02",
            basis: "published",
            source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
            read: READ,
        },
        {
            line: "1.35",
            end: "2027-03-27",
            basis: "published",
            source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
            read: READ,
        },
    ],
    kafka: [
        {
            line: "4.2",
            end: "2027-02-17",
            basis: "policy",
            read: READ,
            source: "https://cwiki.apache.org/confluence/display/KAFKA/Time+Based+Release+Plan#TimeBasedReleasePlan-WhatIsOurEOLPolicy?",
            note: "bug-fix releases for the last three releases, about 12 months from the .0 release (4.2.0: 2026-02-17)",
        },
        {
            line: "4.3",
            end: "2027-05-22",
            basis: "policy",
            read: READ,
            source: "https://cwiki.apache.org/confluence/display/KAFKA/Time+Based+Release+Plan#TimeBasedReleasePlan-WhatIsOurEOLPolicy?",
            note: "bug-fix releases for the last three releases, about 12 months from the .0 release (4.3.0: 2026-05-22)",
        },
    ],
    "chart:strimzi": [{ line: "1.2", end: RECHECK, basis: "recheck", source: "https://strimzi.io/downloads/", read: READ, note: latestOnly("Strimzi") }],
    "chart:strimziAccess": [
        {
            line: "0.3",
            end: RECHECK,
            basis: "recheck",
            source: "https://github.com/strimzi/kafka-access-operator/releases",
            read: READ,
            note: latestOnly("The Strimzi Access Operator"),
        },
    ],
    "chart:keda": [
        {
            line: "2.21",
            end: RECHECK,
            basis: "recheck",
            source: "https://keda.sh/docs/2.21/operate/cluster/",
            read: READ,
            note: "KEDA is community-supported with no end dates; 2.21 is tested on Kubernetes 1.34-1.36. Re-check this pin by the date",
        },
    ],
    "chart:sparkOperator": [
        {
            line: "2.5",
            end: RECHECK,
            basis: "recheck",
            source: "https://github.com/kubeflow/spark-operator/releases",
            read: READ,
            note: latestOnly("The Kubeflow Spark operator"),
        },
    ],
    "chart:airflow": [
        {
            line: "1.22",
            end: RECHECK,
            basis: "recheck",
            source: "https://airflow.apache.org/docs/helm-chart/stable/release_notes.html",
            read: READ,
            note: latestOnly("The Airflow Helm chart"),
        },
    ],
    "chart:kubePrometheusStack": [
        {
            line: "92.3",
            end: RECHECK,
            basis: "recheck",
            source: "https://github.com/prometheus-community/helm-charts/releases",
            read: READ,
            note: latestOnly("kube-prometheus-stack"),
        },
    ],
    "chart:vaultSecretsOperator": [
        {
            line: "1.6",
            end: RECHECK,
            basis: "recheck",
            source: "https://developer.hashicorp.com/vault/docs/deploy/kubernetes/vso",
            read: READ,
            note: latestOnly("The Vault Secrets Operator"),
        },
    ],
    "chart:reloader": [
        { line: "2.2", end: RECHECK, basis: "recheck", source: "https://github.com/stakater/Reloader/releases", read: READ, note: latestOnly("Reloader") },
    ],
    "image:spark": [
        {
            line: "4.0",
            end: "2026-11-23",
            basis: "policy",
            source: "https://spark.apache.org/versioning-policy.html",
            read: READ,
            note: "feature release branches get bug-fix releases for 18 months; the 4.0 line ends 2026-11-23 (endoflife.date/apache-spark)",
            accepted: {
                until: "2027-02-28",
                reason: "moving to Spark 4.1 changes the job image's connector set (docker/spark); 4.0.x is kept until that change ships",
            },
        },
    ],
    "image:airflow": [
        {
            line: "3.2",
            end: RECHECK,
            basis: "recheck",
            source: "https://github.com/apache/airflow#version-life-cycle",
            read: READ,
            note: "Airflow 3 is supported with its end of life to be announced; patches go to the latest minor only. Re-check this pin by the date",
        },
    ],
    "image:gitSync": [
        { line: "4.4", end: RECHECK, basis: "recheck", source: "https://github.com/kubernetes/git-sync/releases", read: READ, note: latestOnly("git-sync") },
    ],
    "image:clusterAutoscaler": [
        {
            line: "1.35",
            end: "2027-02-28",
            basis: "policy",
            source: "https://kubernetes.io/releases/1.35/",
            read: READ,
            note: "each Cluster Autoscaler minor is released for the Kubernetes minor of the same number and follows its end of life",
        },
    ],
};

/** Days before an end date from which the plan warns. */
export const WARN_DAYS = 60;

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Parses YYYY-MM-DD as a UTC day; throws on anything else. */
export function parseDay(s: string): Date {
    const d = new Date(`${s}T00:00:00Z`);
    if (!ISO.test(s) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s)
        throw new Error(`${JSON.stringify(s)} is not a date in the form YYYY-MM-DD`);
    return d;
}

export function today(): string {
    return new Date().toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
    return new Date(parseDay(day).getTime() + n * 86400000).toISOString().slice(0, 10);
}

let asOf: string | undefined;

/** The day versions are judged against: today, unless the offline plan evaluates another day (`--date`). */
export function evaluationDay(): string {
    return asOf ?? today();
}

/** Sets (or with undefined, clears) the day of evaluation; used by the offline plan. */
export function setEvaluationDay(day: string | undefined): void {
    if (day !== undefined) parseDay(day);
    asOf = day;
}

/** The row covering a version: the line equals it, or is a prefix ending at a dot. */
export function supportWindow(subject: Subject, version: string): SupportWindow | undefined {
    const v = version.replace(/^v/, "");
    return SUPPORT_WINDOWS[subject].find((w) => v === w.line || v.startsWith(w.line + "."));
}

/** The version string of a pinned image (its tag, without a leading v). */
function imageVersion(key: ImageKey): string {
    return IMAGES[key].split(":").pop()!.replace(/^v/, "");
}

export interface PinnedVersion {
    subject: Subject;
    /** Config key (or versions.ts entry) that sets it, for messages. */
    key: string;
    version: string;
}

export interface SupportFinding {
    pin: PinnedVersion;
    level: "error" | "warning";
    message: string;
}

function allowed(subject: Subject, day: string): string {
    const ok = SUPPORT_WINDOWS[subject].filter((w) => w.end > day).map((w) => `${w.line} (until ${w.end})`);
    return ok.length ? `allowed: ${ok.join(", ")}` : "no recorded version is in support: add a row with its source to components/support-windows.ts";
}

/** Judges pinned versions on a day: past end (or unknown) is an error, within WARN_DAYS of the end a warning. */
export function judgeVersions(pins: readonly PinnedVersion[], day: string): SupportFinding[] {
    const out: SupportFinding[] = [];
    const warnFrom = addDays(day, WARN_DAYS);
    for (const pin of pins) {
        const w = supportWindow(pin.subject, pin.version);
        const at = `${pin.key}: ${JSON.stringify(pin.version)}`;
        if (!w) {
            out.push({ pin, level: "error", message: `${at} has no support window on record; ${allowed(pin.subject, day)} (components/support-windows.ts)` });
        } else if (w.end <= day) {
            if (w.accepted && w.accepted.until > day) {
                out.push({
                    pin,
                    level: "warning",
                    message: `${at} reached end of support on ${w.end} (${w.source}); accepted until ${w.accepted.until}: ${w.accepted.reason}`,
                });
            } else {
                out.push({
                    pin,
                    level: "error",
                    message: `${at} reached end of support on ${w.end} (${w.source})${w.accepted ? `; its acceptance ended ${w.accepted.until}` : ""}; ${allowed(pin.subject, day)}`,
                });
            }
        } else if (w.end <= warnFrom) {
            out.push({ pin, level: "warning", message: `${at} reaches end of support on ${w.end} (${w.source}), within ${WARN_DAYS} days of ${day}` });
        }
    }
    return out;
}

/** Every version the platform pins in versions.ts, as the chart keys and images are named there. */
export function pinnedInVersionsTs(
    charts: Readonly<Record<ChartKey, string>> = Object.fromEntries(Object.entries(CHARTS).map(([k, c]) => [k, c.version])) as Record<ChartKey, string>,
): PinnedVersion[] {
    return [
        ...(Object.keys(CHARTS) as ChartKey[]).map((k) => ({ subject: `chart:${k}` as Subject, key: `dataplatform:charts.${k}`, version: charts[k] })),
        ...(Object.keys(IMAGES) as ImageKey[]).map((k) => ({
            subject: `image:${k}` as Subject,
            key: `components/versions.ts IMAGES.${k}`,
            version: imageVersion(k),
        })),
    ];
}
