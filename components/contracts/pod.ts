import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentity } from "../interfaces";

/**
 * The pod-level contract every Kubernetes layer builds against: plain (resolved) objects for the pure builders,
 * the identity binder's additions to a pod, and the annotation Reloader watches.
 */

/** Plain (resolved) Kubernetes objects: the pure builders work on these, the components resolve Outputs first. */
export type Obj = Record<string, any>;

/** What a pod needs for keyless cloud access, resolved from the binder's WorkloadIdentity. */
export interface PodIdentity {
    env: Obj[];
    volumes: Obj[];
    volumeMounts: Obj[];
    /** Lake filesystem settings from the identity binder (the layers above never know the cloud). */
    sparkConf?: Readonly<Record<string, string>>;
}

/** Resolves the binder's pod additions once, for the pure builders. */
export function podIdentity(id: WorkloadIdentity): pulumi.Output<PodIdentity> {
    return pulumi.output(podIdentityInput(id)) as unknown as pulumi.Output<PodIdentity>;
}

/** The binder's pod additions as they are (Outputs at their leaves), for builders run through k8s/leafwise. */
export function podIdentityInput(id: WorkloadIdentity) {
    return { env: id.podEnv, volumes: id.podVolumes, volumeMounts: id.podVolumeMounts, sparkConf: id.sparkConf };
}

/**
 * Pod template (or workload) annotation that makes Reloader (installed by the Kafka layer, reloadStrategy
 * annotations) roll a workload when a named Secret changes; several names are comma-joined.
 */
export const RELOAD_ANNOTATION = "secret.reloader.stakater.com/reload";
