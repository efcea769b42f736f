/**
 * Which input changes make the engine replace a resource, and which resources hold data, for the resource
 * types the platform uses for stateful data. Bridged providers decide replacement from their schema's
 * ForceNew arguments (the "forces new resource" / "Changing this forces a new resource" notes of each
 * resource's documentation); the Kubernetes provider replaces an object whose name or namespace changes and
 * any object whose immutable fields change. Types not listed here are diffed by input path only.
 */
export interface ReplaceRule {
    /** Input paths (prefix match on `a.b[0].c` paths) whose change forces a replacement. */
    replaceOn: string[];
    /** A delete or replace loses data (or makes data unreadable): a destructive change. */
    dataBearing: boolean;
    /** What is lost when it is deleted or replaced. */
    holds?: string;
    /** Where the replace-forcing arguments are documented. */
    source: string;
}

const TF_GOOGLE = "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources";
const TF_AWS = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources";
const TF_VAULT = "https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources";

/** Kubernetes: an object is identified by name and namespace; changing either is a delete and a create (K8S_DOC). */
const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];
const K8S_DOC =
    "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNewProperties: .metadata.name, .metadata.namespace, then per-kind immutable fields)";

export const REPLACE_RULES: Record<string, ReplaceRule> = {
    "gcp:storage/bucket:Bucket": {
        replaceOn: ["name", "location", "project"],
        dataBearing: true,
        holds: "the bucket's objects",
        source: `${TF_GOOGLE}/storage_bucket (name, location, project: ForceNew)`,
    },
    "aws:s3/bucket:Bucket": {
        replaceOn: ["bucket", "bucketPrefix", "objectLockEnabled"],
        dataBearing: true,
        holds: "the bucket's objects",
        source: `${TF_AWS}/s3_bucket (bucket, bucket_prefix, object_lock_enabled: forces new resource)`,
    },
    "aws:s3/bucketVersioning:BucketVersioning": {
        replaceOn: ["bucket", "expectedBucketOwner"],
        dataBearing: true,
        holds: "versioning of the bucket (deleting this resource suspends versioning, so overwritten objects are lost)",
        source: `${TF_AWS}/s3_bucket_versioning (bucket: forces new; "Deleting this resource will either suspend versioning")`,
    },
    "gcp:bigquery/dataset:Dataset": {
        replaceOn: ["datasetId", "project", "location", "defaultEncryptionConfiguration"],
        dataBearing: true,
        holds: "every table in the dataset",
        source: `${TF_GOOGLE}/bigquery_dataset (dataset_id, project, location: ForceNew)`,
    },
    "gcp:bigquery/table:Table": {
        replaceOn: ["datasetId", "tableId", "project", "timePartitioning", "rangePartitioning", "encryptionConfiguration"],
        dataBearing: true,
        holds: "the table's rows",
        source: `${TF_GOOGLE}/bigquery_table (dataset_id, table_id, project, time_partitioning.*, range_partitioning.*, encryption_configuration: ForceNew)`,
    },
    "gcp:kms/keyRing:KeyRing": {
        replaceOn: ["name", "location", "project"],
        dataBearing: true,
        holds: "its keys: everything encrypted with them becomes unreadable",
        source: `${TF_GOOGLE}/kms_key_ring (name, location, project: ForceNew)`,
    },
    "gcp:kms/cryptoKey:CryptoKey": {
        replaceOn: ["name", "keyRing", "purpose", "importOnly", "skipInitialVersionCreation", "versionTemplate.protectionLevel"],
        dataBearing: true,
        holds: "key material: everything encrypted with it becomes unreadable",
        source: `${TF_GOOGLE}/kms_crypto_key (name, key_ring, purpose, import_only, skip_initial_version_creation, version_template.protection_level: ForceNew)`,
    },
    "aws:kms/key:Key": {
        replaceOn: ["customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId", "customKeyStoreId"],
        dataBearing: true,
        holds: "key material: everything encrypted with it becomes unreadable",
        source: `${TF_AWS}/kms_key (customer_master_key_spec, key_usage, multi_region, custom_key_store_id, xks_key_id: forces new resource)`,
    },
    "gcp:sql/databaseInstance:DatabaseInstance": {
        replaceOn: ["name", "region", "project", "encryptionKeyName", "masterInstanceName", "settings.ipConfiguration.privateNetwork"],
        dataBearing: true,
        holds: "the Airflow metadata database",
        source: `${TF_GOOGLE}/sql_database_instance (name, region, project, encryption_key_name, master_instance_name: ForceNew)`,
    },
    "gcp:sql/database:Database": {
        replaceOn: ["name", "instance", "project"],
        dataBearing: true,
        holds: "the database",
        source: `${TF_GOOGLE}/sql_database (name, instance, project: ForceNew)`,
    },
    "aws:rds/instance:Instance": {
        replaceOn: [
            "identifier",
            "identifierPrefix",
            "engine",
            "kmsKeyId",
            "storageEncrypted",
            "dbName",
            "username",
            "availabilityZone",
            "characterSetName",
            "timezone",
            "snapshotIdentifier",
        ],
        dataBearing: true,
        holds: "the Airflow metadata database",
        source: `${TF_AWS}/db_instance (identifier, engine, kms_key_id, storage_encrypted, db_name, username, availability_zone, character_set_name, timezone, snapshot_identifier: forces new)`,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        replaceOn: ["name", "namePrefix", "logGroupClass"],
        dataBearing: true,
        holds: "the log group's events",
        source: `${TF_AWS}/cloudwatch_log_group (name, name_prefix, log_group_class: forces new)`,
    },
    "gcp:container/cluster:Cluster": {
        replaceOn: [
            "name",
            "location",
            "project",
            "network",
            "subnetwork",
            "privateClusterConfig.enablePrivateNodes",
            "privateClusterConfig.masterIpv4CidrBlock",
            "ipAllocationPolicy",
            "databaseEncryption",
            "datapathProvider",
        ],
        dataBearing: true,
        holds: "every workload and in-cluster volume (Kafka, Prometheus)",
        source: `${TF_GOOGLE}/container_cluster (name, location, project, network, subnetwork, private_cluster_config.*, ip_allocation_policy, datapath_provider: ForceNew)`,
    },
    "aws:eks/cluster:Cluster": {
        replaceOn: [
            "name",
            "roleArn",
            "vpcConfig.subnetIds",
            "encryptionConfig",
            "kubernetesNetworkConfig.serviceIpv4Cidr",
            "kubernetesNetworkConfig.ipFamily",
        ],
        dataBearing: true,
        holds: "every workload and in-cluster volume (Kafka, Prometheus)",
        source: `${TF_AWS}/eks_cluster (name, role_arn, vpc_config.subnet_ids, encryption_config, kubernetes_network_config.*: forces new)`,
    },
    "gcp:container/nodePool:NodePool": {
        replaceOn: [
            "name",
            "namePrefix",
            "cluster",
            "location",
            "project",
            "nodeConfig.diskType",
            "nodeConfig.spot",
            "nodeConfig.serviceAccount",
            "nodeConfig.bootDiskKmsKey",
            "nodeConfig.shieldedInstanceConfig",
            "nodeConfig.taints",
            "nodeConfig.workloadMetadataConfig",
            "nodeConfig.oauthScopes",
            "nodeConfig.imageType",
            "networkConfig",
        ],
        dataBearing: false,
        source: `${TF_GOOGLE}/container_node_pool (name, cluster, location, node_config.* except labels/resource labels/taints-by-update/machine type and disk size in newer versions: ForceNew)`,
    },
    "aws:eks/nodeGroup:NodeGroup": {
        replaceOn: [
            "nodeGroupName",
            "nodeGroupNamePrefix",
            "clusterName",
            "nodeRoleArn",
            "subnetIds",
            "instanceTypes",
            "capacityType",
            "amiType",
            "diskSize",
            "remoteAccess",
        ],
        dataBearing: false,
        source: `${TF_AWS}/eks_node_group (node_group_name, cluster_name, node_role_arn, subnet_ids, instance_types, capacity_type, ami_type, disk_size, remote_access: forces new)`,
    },
    "kubernetes:storage.k8s.io/v1:StorageClass": {
        replaceOn: [...K8S_IDENTITY, "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode", "mountOptions"],
        dataBearing: false,
        source: 'https://kubernetes.io/docs/concepts/storage/storage-classes/ ("StorageClass objects ... cannot be updated once they are created")',
    },
    "kubernetes:core/v1:PersistentVolumeClaim": {
        replaceOn: [...K8S_IDENTITY, "spec.storageClassName", "spec.accessModes", "spec.volumeMode", "spec.selector"],
        dataBearing: true,
        holds: "the claimed volume's data (released to the StorageClass's reclaim policy)",
        source: "https://kubernetes.io/docs/concepts/storage/persistent-volumes/ (PVC spec is immutable after creation except resources.requests)",
    },
    "kubernetes:apps/v1:StatefulSet": {
        replaceOn: [...K8S_IDENTITY, "spec.volumeClaimTemplates", "spec.selector", "spec.serviceName", "spec.podManagementPolicy"],
        dataBearing: true,
        holds: "its pods' volume claims",
        source: "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/ (only replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds are updatable)",
    },
    "kubernetes:kafka.strimzi.io/v1:Kafka": {
        replaceOn: K8S_IDENTITY,
        dataBearing: true,
        holds: "the Kafka cluster (its node pools' volumes follow their deleteClaim)",
        source: "https://strimzi.io/docs/operators/latest/deploying (deleting the Kafka resource deletes the cluster)",
    },
    "kubernetes:kafka.strimzi.io/v1:KafkaNodePool": {
        replaceOn: K8S_IDENTITY,
        dataBearing: true,
        holds: "the brokers' or controllers' volumes",
        source: "https://strimzi.io/docs/operators/latest/deploying#assembly-storage-str (storage type cannot change; volumes can grow, not shrink; removing a JBOD volume or the pool removes its data)",
    },
    "kubernetes:kafka.strimzi.io/v1:KafkaTopic": {
        replaceOn: [...K8S_IDENTITY, "spec.topicName"],
        dataBearing: true,
        holds: "the topic's messages (the Topic Operator deletes the Kafka topic with its resource)",
        source: "https://strimzi.io/docs/operators/latest/deploying#con-topic-operator-str (deleting a KafkaTopic deletes the topic; partitions cannot be decreased)",
    },
    "kubernetes:helm.sh/v3:Release": {
        replaceOn: ["name", "namespace"],
        dataBearing: false,
        source: "https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/ (name and namespace changes replace the release)",
    },
    "vault:index/mount:Mount": {
        replaceOn: ["path", "type", "local", "sealWrap", "externalEntropyAccess"],
        dataBearing: true,
        holds: "every secret under the mount",
        source: `${TF_VAULT}/mount (path, type, local, seal_wrap, external_entropy_access: forces new; unmounting deletes its data)`,
    },
    "gcp:artifactregistry/repository:Repository": {
        replaceOn: ["repositoryId", "location", "project", "format", "kmsKeyName", "mode"],
        dataBearing: true,
        holds: "the images in the registry",
        source: `${TF_GOOGLE}/artifact_registry_repository (repository_id, location, project, format, kms_key_name, mode: ForceNew)`,
    },
    "aws:ecr/repository:Repository": {
        replaceOn: ["name", "encryptionConfigurations"],
        dataBearing: true,
        holds: "the images in the repository",
        source: `${TF_AWS}/ecr_repository (name, encryption_configuration: forces new)`,
    },
};

/** The generic rule for Kubernetes objects not in the table: name and namespace identify them. */
export function ruleFor(type: string): ReplaceRule | undefined {
    const rule = REPLACE_RULES[type];
    if (rule) return rule;
    if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/")) return { replaceOn: K8S_IDENTITY, dataBearing: false, source: K8S_DOC };
    return undefined;
}

/** Whether `path` (a changed input path) is `rule` or lies under it. */
export function pathUnder(path: string, rule: string): boolean {
    return path === rule || path.startsWith(rule + ".") || path.startsWith(rule + "[");
}
