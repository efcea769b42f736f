import type { PlatformConfig } from "./config";
import type { ClusterNetwork } from "./interfaces";
import { gkeClusterNetwork } from "./gcp/cluster-network";
import { eksClusterNetwork } from "./aws/cluster-network";

/** The cluster network of a stack's cloud, as its foundation hands it over (for reports and tests). */
export function clusterNetworkOf(cfg: PlatformConfig): ClusterNetwork {
    return cfg.cloud === "gcp" ? gkeClusterNetwork(cfg) : eksClusterNetwork(cfg);
}
