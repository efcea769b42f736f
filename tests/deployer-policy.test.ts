import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { STACKS, shippedPlan } from "./support/plans";
import { awsStack } from "./support/config";
import { ROOT, type Plan } from "../plan/run";

/**
 * What the deployer (the identity that runs `pulumi up`) must be allowed, per cloud resource type the plans create
 * and per lookup they run: create, read, update, delete and tag, as the provider calls the API. Kubernetes, Helm,
 * Vault and random resources are out of scope: they go through the cluster's RBAC (the deployer's access entry or
 * GKE IAM) and the Vault token, not the cloud deployer policy.
 */
interface Need {
    /** GCP: permissions of the project custom role; AWS: IAM actions. */
    permissions: string[];
    /** Where the list comes from. */
    source: string;
    /** GCP: permissions on the billing account, which a project custom role cannot carry, and the role granting them there. */
    billingAccount?: { role: string; permissions: string[] };
}

const GCP: Record<string, Need> = {
    "gcp:projects/service:Service": {
        // disableOnDestroy is false: the program never disables an API.
        permissions: ["serviceusage.services.enable", "serviceusage.services.get", "serviceusage.services.list"],
        source: "https://cloud.google.com/service-usage/docs/access-control",
    },
    "gcp:projects/serviceIdentity:ServiceIdentity": {
        permissions: ["serviceusage.services.use", "serviceusage.services.get"],
        source: "https://cloud.google.com/service-usage/docs/reference/rest/v1beta1/services/generateServiceIdentity",
    },
    "gcp:compute/network:Network": {
        permissions: ["compute.networks.create", "compute.networks.get", "compute.networks.update", "compute.networks.delete", "compute.globalOperations.get"],
        source: "https://cloud.google.com/compute/docs/reference/rest/v1/networks",
    },
    "gcp:compute/subnetwork:Subnetwork": {
        permissions: [
            "compute.subnetworks.create",
            "compute.subnetworks.get",
            "compute.subnetworks.update",
            "compute.subnetworks.delete",
            "compute.subnetworks.setPrivateIpGoogleAccess",
            "compute.networks.updatePolicy",
            "compute.regionOperations.get",
        ],
        source: "https://cloud.google.com/compute/docs/reference/rest/v1/subnetworks",
    },
    "gcp:compute/firewall:Firewall": {
        permissions: [
            "compute.firewalls.create",
            "compute.firewalls.get",
            "compute.firewalls.update",
            "compute.firewalls.delete",
            "compute.networks.updatePolicy",
            "compute.globalOperations.get",
        ],
        source: "https://cloud.google.com/compute/docs/reference/rest/v1/firewalls",
    },
    "gcp:compute/router:Router": {
        permissions: [
            "compute.routers.create",
            "compute.routers.get",
            "compute.routers.update",
            "compute.routers.delete",
            "compute.networks.updatePolicy",
            "compute.regionOperations.get",
        ],
        source: "https://cloud.google.com/compute/docs/reference/rest/v1/routers",
    },
    "gcp:compute/routerNat:RouterNat": {
        // A NAT is a part of its router: it is written with routers.patch.
        permissions: ["compute.routers.get", "compute.routers.update", "compute.regionOperations.get"],
        source: "https://cloud.google.com/compute/docs/reference/rest/v1/routers/patch",
    },
    "gcp:compute/globalAddress:GlobalAddress": {
        permissions: [
            "compute.globalAddresses.createInternal",
            "compute.globalAddresses.get",
            "compute.globalAddresses.deleteInternal",
            "compute.networks.use",
            "compute.globalOperations.get",
        ],
        source: "https://cloud.google.com/compute/docs/reference/rest/v1/globalAddresses",
    },
    "gcp:servicenetworking/connection:Connection": {
        permissions: [
            "servicenetworking.services.addPeering",
            "servicenetworking.services.get",
            "servicenetworking.operations.get",
            "compute.networks.get",
            "compute.networks.addPeering",
            "compute.networks.removePeering",
            "compute.networks.updatePeering",
            "compute.globalAddresses.list",
        ],
        source: "https://cloud.google.com/vpc/docs/configure-private-services-access",
    },
    "gcp:container/cluster:Cluster": {
        permissions: [
            "container.clusters.create",
            "container.clusters.get",
            "container.clusters.update",
            "container.clusters.delete",
            // The Kubernetes provider's credentials (gke-gcloud-auth-plugin).
            "container.clusters.getCredentials",
            "container.operations.get",
            "iam.serviceAccounts.actAs",
        ],
        source: "https://cloud.google.com/kubernetes-engine/docs/reference/api-permissions",
    },
    "gcp:container/nodePool:NodePool": {
        // Node pools have no permissions of their own: they are parts of the cluster.
        permissions: ["container.clusters.get", "container.clusters.update", "container.operations.get", "iam.serviceAccounts.actAs"],
        source: "https://cloud.google.com/kubernetes-engine/docs/reference/api-permissions",
    },
    "gcp:kms/keyRing:KeyRing": {
        // Key rings cannot be deleted.
        permissions: ["cloudkms.keyRings.create", "cloudkms.keyRings.get"],
        source: "https://cloud.google.com/kms/docs/reference/permissions-and-roles",
    },
    "gcp:kms/cryptoKey:CryptoKey": {
        // Keys are retained on delete: the provider never destroys their versions.
        permissions: ["cloudkms.cryptoKeys.create", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.update", "cloudkms.cryptoKeyVersions.list"],
        source: "https://cloud.google.com/kms/docs/reference/permissions-and-roles",
    },
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": {
        permissions: ["cloudkms.cryptoKeys.getIamPolicy", "cloudkms.cryptoKeys.setIamPolicy"],
        source: "https://cloud.google.com/kms/docs/reference/permissions-and-roles",
    },
    "gcp:projects/iAMMember:IAMMember": {
        permissions: ["resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy"],
        source: "https://cloud.google.com/resource-manager/docs/access-control-proj",
    },
    "gcp:serviceaccount/account:Account": {
        permissions: ["iam.serviceAccounts.create", "iam.serviceAccounts.get", "iam.serviceAccounts.update", "iam.serviceAccounts.delete"],
        source: "https://cloud.google.com/iam/docs/service-accounts-create#permissions",
    },
    "gcp:serviceaccount/iAMMember:IAMMember": {
        permissions: ["iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.setIamPolicy"],
        source: "https://cloud.google.com/iam/docs/manage-access-service-accounts",
    },
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": {
        permissions: [
            "iam.workloadIdentityPools.create",
            "iam.workloadIdentityPools.get",
            "iam.workloadIdentityPools.update",
            "iam.workloadIdentityPools.delete",
            "iam.workloadIdentityPools.undelete",
        ],
        source: "https://cloud.google.com/iam/docs/manage-workload-identity-pools-providers#required-roles",
    },
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {
        permissions: [
            "iam.workloadIdentityPoolProviders.create",
            "iam.workloadIdentityPoolProviders.get",
            "iam.workloadIdentityPoolProviders.update",
            "iam.workloadIdentityPoolProviders.delete",
            "iam.workloadIdentityPoolProviders.undelete",
        ],
        source: "https://cloud.google.com/iam/docs/manage-workload-identity-pools-providers#required-roles",
    },
    "gcp:storage/bucket:Bucket": {
        permissions: ["storage.buckets.create", "storage.buckets.get", "storage.buckets.update", "storage.buckets.delete"],
        source: "https://cloud.google.com/storage/docs/access-control/iam-permissions",
    },
    "gcp:storage/bucketIAMMember:BucketIAMMember": {
        permissions: ["storage.buckets.getIamPolicy", "storage.buckets.setIamPolicy"],
        source: "https://cloud.google.com/storage/docs/access-control/iam-permissions",
    },
    "gcp:bigquery/dataset:Dataset": {
        // deleteContentsOnDestroy outside prod deletes the tables with the dataset.
        permissions: [
            "bigquery.datasets.create",
            "bigquery.datasets.get",
            "bigquery.datasets.update",
            "bigquery.datasets.delete",
            "bigquery.tables.list",
            "bigquery.tables.delete",
        ],
        source: "https://cloud.google.com/bigquery/docs/access-control",
    },
    "gcp:bigquery/datasetIamMember:DatasetIamMember": {
        // The provider edits the dataset's access list (datasets.get + datasets.update).
        permissions: ["bigquery.datasets.get", "bigquery.datasets.update", "bigquery.datasets.getIamPolicy", "bigquery.datasets.setIamPolicy"],
        source: "https://cloud.google.com/bigquery/docs/control-access-to-resources-iam",
    },
    "gcp:bigquery/table:Table": {
        permissions: ["bigquery.tables.create", "bigquery.tables.get", "bigquery.tables.update", "bigquery.tables.delete"],
        source: "https://cloud.google.com/bigquery/docs/access-control",
    },
    "gcp:artifactregistry/repository:Repository": {
        permissions: [
            "artifactregistry.repositories.create",
            "artifactregistry.repositories.get",
            "artifactregistry.repositories.update",
            "artifactregistry.repositories.delete",
            // deploy.yml pushes (and promotes by digest) the images as the same identity.
            "artifactregistry.repositories.uploadArtifacts",
            "artifactregistry.repositories.downloadArtifacts",
            "artifactregistry.tags.create",
            "artifactregistry.tags.update",
        ],
        source: "https://cloud.google.com/artifact-registry/docs/access-control#permissions",
    },
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": {
        permissions: ["artifactregistry.repositories.getIamPolicy", "artifactregistry.repositories.setIamPolicy"],
        source: "https://cloud.google.com/artifact-registry/docs/access-control#permissions",
    },
    "gcp:sql/databaseInstance:DatabaseInstance": {
        permissions: ["cloudsql.instances.create", "cloudsql.instances.get", "cloudsql.instances.update", "cloudsql.instances.delete"],
        source: "https://cloud.google.com/sql/docs/postgres/iam-permissions",
    },
    "gcp:sql/database:Database": {
        permissions: ["cloudsql.databases.create", "cloudsql.databases.get", "cloudsql.databases.update", "cloudsql.databases.delete"],
        source: "https://cloud.google.com/sql/docs/postgres/iam-permissions",
    },
    "gcp:sql/user:User": {
        permissions: ["cloudsql.users.create", "cloudsql.users.list", "cloudsql.users.update", "cloudsql.users.delete"],
        source: "https://cloud.google.com/sql/docs/postgres/iam-permissions",
    },
    "gcp:cloudquota/sQuotaPreference:SQuotaPreference": {
        permissions: ["cloudquotas.quotas.update", "cloudquotas.quotas.get"],
        source: "https://cloud.google.com/docs/quotas/reference/rest/v1/projects.locations.quotaPreferences/patch",
    },
    "gcp:billing/budget:Budget": {
        // The budget alerts existing Monitoring channels, which the caller must be able to read.
        permissions: ["monitoring.notificationChannels.get"],
        source: "https://cloud.google.com/billing/docs/how-to/budgets-notification-recipients",
        // Budgets live on the billing account, out of reach of a project custom role.
        billingAccount: {
            role: "roles/billing.costsManager",
            permissions: ["billing.budgets.create", "billing.budgets.get", "billing.budgets.update", "billing.budgets.delete"],
        },
    },
};

/** Lookups the program runs during preview and update. */
const GCP_LOOKUPS: Record<string, Need> = {
    "gcp:organizations/getProject:getProject": {
        permissions: ["resourcemanager.projects.get"],
        source: "https://cloud.google.com/resource-manager/reference/rest/v3/projects/get",
    },
    "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount": {
        permissions: ["bigquery.jobs.create"],
        source: "https://cloud.google.com/bigquery/docs/reference/rest/v2/projects/getServiceAccount",
    },
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": {
        permissions: ["resourcemanager.projects.get"],
        source: "https://cloud.google.com/storage/docs/json_api/v1/projects/serviceAccount/get",
    },
};

/** Every provider with `billingProject` bills requests to the project: the caller needs serviceusage.services.use there. */
const GCP_ALWAYS: Need = {
    permissions: ["serviceusage.services.use", "resourcemanager.projects.get"],
    source: "https://cloud.google.com/docs/quotas/set-quota-project",
};

const SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference";
const S3_READ_BUCKET = [
    // The provider reads every sub-configuration of a bucket on refresh.
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:GetBucketTagging",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketWebsite",
    "s3:GetBucketVersioning",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketLogging",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketPolicy",
];
const EC2_TAGS = ["ec2:CreateTags", "ec2:DeleteTags"];
const EKS_TAGS = ["eks:TagResource", "eks:UntagResource"];
const RDS_TAGS = ["rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource"];
const AWS: Record<string, Need> = {
    "aws:s3/bucket:Bucket": {
        permissions: ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging", ...S3_READ_BUCKET],
        source: `${SAR}/list_amazons3.html`,
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        // DeleteBucketLifecycle is authorized as s3:PutLifecycleConfiguration.
        permissions: ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
        source: `${SAR}/list_amazons3.html`,
    },
    "aws:s3/bucketLogging:BucketLogging": { permissions: ["s3:PutBucketLogging", "s3:GetBucketLogging"], source: `${SAR}/list_amazons3.html` },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        permissions: ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
        source: `${SAR}/list_amazons3.html`,
    },
    "aws:s3/bucketPolicy:BucketPolicy": {
        permissions: ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
        source: `${SAR}/list_amazons3.html`,
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        permissions: ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
        source: `${SAR}/list_amazons3.html`,
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        permissions: ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
        source: `${SAR}/list_amazons3.html`,
    },
    "aws:s3/bucketVersioning:BucketVersioning": { permissions: ["s3:PutBucketVersioning", "s3:GetBucketVersioning"], source: `${SAR}/list_amazons3.html` },
    "aws:kms/key:Key": {
        permissions: [
            "kms:CreateKey",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:EnableKeyRotation",
            "kms:UpdateKeyDescription",
            "kms:ListResourceTags",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ScheduleKeyDeletion",
        ],
        source: `${SAR}/list_awskeymanagementservice.html`,
    },
    "aws:kms/alias:Alias": {
        permissions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"],
        source: `${SAR}/list_awskeymanagementservice.html`,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        permissions: [
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:DescribeLogGroups",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:ListTagsForResource",
        ],
        source: `${SAR}/list_amazoncloudwatchlogs.html`,
    },
    "aws:ec2/vpc:Vpc": {
        permissions: ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:ModifyVpcAttribute", ...EC2_TAGS],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
        permissions: [
            "ec2:DescribeSecurityGroups",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            ...EC2_TAGS,
        ],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        permissions: [
            "ec2:CreateSecurityGroup",
            "ec2:DeleteSecurityGroup",
            "ec2:DescribeSecurityGroups",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:DescribeNetworkInterfaces",
            ...EC2_TAGS,
        ],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        permissions: [
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:DescribeSecurityGroupRules",
            "ec2:ModifySecurityGroupRules",
            ...EC2_TAGS,
        ],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/subnet:Subnet": {
        permissions: ["ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute", ...EC2_TAGS],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/internetGateway:InternetGateway": {
        permissions: [
            "ec2:CreateInternetGateway",
            "ec2:DeleteInternetGateway",
            "ec2:AttachInternetGateway",
            "ec2:DetachInternetGateway",
            "ec2:DescribeInternetGateways",
            ...EC2_TAGS,
        ],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/eip:Eip": {
        permissions: ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses", "ec2:DisassociateAddress", ...EC2_TAGS],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/natGateway:NatGateway": {
        permissions: ["ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DescribeNatGateways", ...EC2_TAGS],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/routeTable:RouteTable": {
        permissions: [
            "ec2:CreateRouteTable",
            "ec2:DeleteRouteTable",
            "ec2:DescribeRouteTables",
            "ec2:CreateRoute",
            "ec2:ReplaceRoute",
            "ec2:DeleteRoute",
            ...EC2_TAGS,
        ],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        permissions: ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation", "ec2:DescribeRouteTables"],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        permissions: [
            "ec2:CreateVpcEndpoint",
            "ec2:ModifyVpcEndpoint",
            "ec2:DeleteVpcEndpoints",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribePrefixLists",
            // Interface endpoints with private DNS associate the VPC with the service's private hosted zone.
            "route53:AssociateVPCWithHostedZone",
            ...EC2_TAGS,
        ],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ec2/flowLog:FlowLog": {
        permissions: [
            "ec2:CreateFlowLogs",
            "ec2:DeleteFlowLogs",
            "ec2:DescribeFlowLogs",
            "iam:PassRole",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            ...EC2_TAGS,
        ],
        source: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        permissions: [
            "ec2:CreateLaunchTemplate",
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate",
            "ec2:DeleteLaunchTemplate",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeLaunchTemplateVersions",
            ...EC2_TAGS,
        ],
        source: `${SAR}/list_amazonec2.html`,
    },
    "aws:ecr/repository:Repository": {
        permissions: [
            "ecr:CreateRepository",
            "ecr:DeleteRepository",
            "ecr:DescribeRepositories",
            "ecr:PutImageTagMutability",
            "ecr:PutImageScanningConfiguration",
            "ecr:ListTagsForResource",
            "ecr:TagResource",
            "ecr:UntagResource",
            // forceDelete outside prod removes the images first.
            "ecr:BatchDeleteImage",
            "ecr:ListImages",
            // A repository encrypted with a CMK holds a grant on it, created and retired by the caller.
            "kms:CreateGrant",
            "kms:RetireGrant",
            "kms:DescribeKey",
            // deploy.yml pushes (and promotes by digest) the images as the same role
            // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html).
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ],
        source: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
    },
    "aws:eks/cluster:Cluster": {
        permissions: [
            "eks:CreateCluster",
            "eks:DescribeCluster",
            "eks:UpdateClusterConfig",
            "eks:UpdateClusterVersion",
            "eks:DeleteCluster",
            "eks:ListTagsForResource",
            ...EKS_TAGS,
            "iam:PassRole",
            "iam:GetRole",
            "iam:CreateServiceLinkedRole",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeVpcs",
            // Envelope encryption of Secrets with the eks CMK.
            "kms:DescribeKey",
            "kms:CreateGrant",
        ],
        source: "https://docs.aws.amazon.com/eks/latest/userguide/security-iam-id-based-policy-examples.html",
    },
    "aws:eks/nodeGroup:NodeGroup": {
        permissions: [
            "eks:CreateNodegroup",
            "eks:DescribeNodegroup",
            "eks:UpdateNodegroupConfig",
            "eks:UpdateNodegroupVersion",
            "eks:DeleteNodegroup",
            ...EKS_TAGS,
            "iam:PassRole",
            "iam:GetRole",
            "iam:CreateServiceLinkedRole",
            "ec2:DescribeSubnets",
            "ec2:DescribeLaunchTemplateVersions",
        ],
        source: "https://docs.aws.amazon.com/eks/latest/userguide/create-managed-node-group.html",
    },
    "aws:eks/addon:Addon": {
        permissions: [
            "eks:CreateAddon",
            "eks:DescribeAddon",
            "eks:UpdateAddon",
            "eks:DeleteAddon",
            "eks:DescribeAddonVersions",
            "eks:DescribeAddonConfiguration",
            ...EKS_TAGS,
            "iam:PassRole",
            "iam:GetRole",
        ],
        source: `${SAR}/list_amazonelastickubernetesservice.html`,
    },
    "aws:eks/accessEntry:AccessEntry": {
        permissions: ["eks:CreateAccessEntry", "eks:DescribeAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", ...EKS_TAGS],
        source: `${SAR}/list_amazonelastickubernetesservice.html`,
    },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
        permissions: ["eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies"],
        source: `${SAR}/list_amazonelastickubernetesservice.html`,
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        permissions: [
            "eks:CreatePodIdentityAssociation",
            "eks:DescribePodIdentityAssociation",
            "eks:UpdatePodIdentityAssociation",
            "eks:DeletePodIdentityAssociation",
            ...EKS_TAGS,
            "iam:PassRole",
            "iam:GetRole",
        ],
        source: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html",
    },
    "aws:iam/role:Role": {
        permissions: [
            "iam:CreateRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:DeleteRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
        ],
        source: `${SAR}/list_awsidentityandaccessmanagementiam.html`,
    },
    "aws:iam/rolePolicy:RolePolicy": {
        permissions: ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
        source: `${SAR}/list_awsidentityandaccessmanagementiam.html`,
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        permissions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"],
        source: `${SAR}/list_awsidentityandaccessmanagementiam.html`,
    },
    "aws:rds/instance:Instance": {
        permissions: [
            "rds:CreateDBInstance",
            "rds:DescribeDBInstances",
            "rds:ModifyDBInstance",
            "rds:DeleteDBInstance",
            ...RDS_TAGS,
            "iam:CreateServiceLinkedRole",
            "kms:DescribeKey",
            "kms:CreateGrant",
        ],
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html",
    },
    "aws:rds/parameterGroup:ParameterGroup": {
        permissions: [
            "rds:CreateDBParameterGroup",
            "rds:ModifyDBParameterGroup",
            "rds:DescribeDBParameterGroups",
            "rds:DescribeDBParameters",
            "rds:DeleteDBParameterGroup",
            ...RDS_TAGS,
        ],
        source: `${SAR}/list_amazonrds.html`,
    },
    "aws:rds/subnetGroup:SubnetGroup": {
        permissions: ["rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DescribeDBSubnetGroups", "rds:DeleteDBSubnetGroup", ...RDS_TAGS],
        source: `${SAR}/list_amazonrds.html`,
    },
    "aws:budgets/budget:Budget": {
        // CreateBudget/UpdateBudget/DeleteBudget are authorized as budgets:ModifyBudget.
        permissions: ["budgets:ModifyBudget", "budgets:ViewBudget", "budgets:TagResource", "budgets:UntagResource", "budgets:ListTagsForResource"],
        source: "https://docs.aws.amazon.com/cost-management/latest/userguide/billing-permissions-ref.html",
    },
};

const AWS_LOOKUPS: Record<string, Need> = {
    "aws:eks/getAddonVersion:getAddonVersion": { permissions: ["eks:DescribeAddonVersions"], source: `${SAR}/list_amazonelastickubernetesservice.html` },
};

/** ARN of a resource as the AWS policy's Resource patterns must admit it (only types whose names the program fixes). */
const AWS_ARNS: Record<string, (i: Record<string, any>, account: string, region: string) => string> = {
    "aws:s3/bucket:Bucket": (i) => `arn:aws:s3:::${i.bucket}`,
    "aws:kms/alias:Alias": (i, a, r) => `arn:aws:kms:${r}:${a}:${i.name}`,
    "aws:cloudwatch/logGroup:LogGroup": (i, a, r) => `arn:aws:logs:${r}:${a}:log-group:${i.name}`,
    "aws:ecr/repository:Repository": (i, a, r) => `arn:aws:ecr:${r}:${a}:repository/${i.name}`,
    "aws:eks/cluster:Cluster": (i, a, r) => `arn:aws:eks:${r}:${a}:cluster/${i.name}`,
    "aws:rds/instance:Instance": (i, a, r) => `arn:aws:rds:${r}:${a}:db:${i.identifier}`,
    "aws:rds/parameterGroup:ParameterGroup": (i, a, r) => `arn:aws:rds:${r}:${a}:pg:${i.name}`,
    "aws:rds/subnetGroup:SubnetGroup": (i, a, r) => `arn:aws:rds:${r}:${a}:subgrp:${i.name}`,
    "aws:budgets/budget:Budget": (i, a) => `arn:aws:budgets::${a}:budget/${i.name}`,
};

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}
const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
/** IAM's glob: `*` any run of characters, `?` one character. */
const glob = (pattern: string) =>
    new RegExp(
        `^${pattern
            .split("")
            .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
            .join("")}$`,
    );

/** Cloud resource types and lookups of a plan the deployer policies answer for. */
function cloudSide(plan: Plan): { types: string[]; lookups: string[] } {
    const cloud = (t: string) => t.startsWith("gcp:") || t.startsWith("aws:");
    return {
        types: [...new Set(plan.resources.filter((r) => r.custom && cloud(r.type)).map((r) => r.type))].sort(),
        lookups: [...new Set(plan.invokes.map((i) => i.token).filter(cloud))].sort(),
    };
}
const needOf = (type: string): Need | undefined => GCP[type] ?? AWS[type];
const lookupOf = (token: string): Need | undefined => GCP_LOOKUPS[token] ?? AWS_LOOKUPS[token];

describe("deployer policies (deploy/)", () => {
    const role = parse(read("deploy/gcp-deployer-role.yaml")) as { title: string; description: string; stage: string; includedPermissions: string[] };
    const grants = parse(read("deploy/gcp-deployer-grants.yaml")) as { grants: { role: string; on: string; why: string }[] };
    const policy = JSON.parse(read("deploy/aws-deployer-policy.json")) as { Version: string; Statement: Statement[] };
    const allows = policy.Statement.filter((s) => s.Effect === "Allow");
    const awsActions = new Set(allows.flatMap((s) => list(s.Action)));

    it("the GCP custom role is a gcloud role file: title, GA stage, sorted unique permissions", () => {
        assert.ok(role.title && role.description);
        assert.equal(role.stage, "GA");
        assert.deepEqual(role.includedPermissions, [...new Set(role.includedPermissions)].sort());
        for (const p of role.includedPermissions) assert.match(p, /^[a-z0-9]+(\.[a-zA-Z0-9]+){2}$/, p);
    });

    it("the AWS policy is an IAM policy document with explicit actions, small enough for an inline role policy", () => {
        assert.equal(policy.Version, "2012-10-17");
        // Inline policies of a role: 10,240 characters together, whitespace not counted; a managed policy allows
        // only 6,144 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
        const size = read("deploy/aws-deployer-policy.json")
            .replace(/ACCOUNT_ID/g, "111111111111")
            .replace(/\s/g, "").length;
        assert.ok(size <= 10_240, `${size} characters`);
        for (const s of policy.Statement) {
            assert.ok(s.Sid && s.Effect === "Allow" && list(s.Resource).length > 0, JSON.stringify(s));
            for (const a of list(s.Action)) assert.match(a, /^[a-z0-9-]+:[A-Za-z]+$/, `${s.Sid}: ${a} (no wildcard actions)`);
        }
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            it("every cloud resource type and lookup of the plan has its permissions in the table", async () => {
                const { types, lookups } = cloudSide(await shippedPlan(stack));
                assert.deepEqual(
                    types.filter((t) => !needOf(t)),
                    [],
                    "resource types missing from the table in tests/deployer-policy.test.ts (and their permissions from deploy/)",
                );
                assert.deepEqual(
                    lookups.filter((t) => !lookupOf(t)),
                    [],
                    "lookups missing from the table",
                );
            });

            it("the deployer policy files grant every permission the plan needs", async () => {
                const plan = await shippedPlan(stack);
                const { types, lookups } = cloudSide(plan);
                const missing: string[] = [];
                for (const name of [...types, ...lookups]) {
                    const need = needOf(name) ?? lookupOf(name);
                    if (!need) continue;
                    const granted = name.startsWith("gcp:") ? (p: string) => role.includedPermissions.includes(p) : (p: string) => awsActions.has(p);
                    for (const p of need.permissions) if (!granted(p)) missing.push(`${name}: ${p}`);
                    const billing = need.billingAccount;
                    if (billing && !grants.grants.some((g) => g.role === billing.role && g.on === "billingAccount"))
                        missing.push(`${name}: ${billing.role} on the billing account`);
                }
                const gcp = [...types, ...lookups].some((t) => t.startsWith("gcp:"));
                if (gcp) for (const p of GCP_ALWAYS.permissions) if (!role.includedPermissions.includes(p)) missing.push(`quota project: ${p}`);
                assert.deepEqual(missing, []);
            });

            if (stack.startsWith("aws")) {
                it("the AWS policy's resource patterns admit the resources the plan names", async () => {
                    const plan = await shippedPlan(stack);
                    const { accountId, region } = awsStack(plan.config).aws;
                    const refused: string[] = [];
                    for (const r of plan.resources.filter((x) => AWS_ARNS[x.type])) {
                        const arn = AWS_ARNS[r.type](r.inputs as Record<string, any>, accountId, region);
                        for (const action of (AWS[r.type]?.permissions ?? []).filter((a) => a.split(":")[0] === arn.split(":")[2])) {
                            const ok = allows.some(
                                (s) => list(s.Action).includes(action) && list(s.Resource).some((p) => glob(p.replace(/ACCOUNT_ID/g, accountId)).test(arn)),
                            );
                            if (!ok) refused.push(`${action} on ${arn}`);
                        }
                    }
                    assert.deepEqual(refused, []);
                });

                it("role policy attachments are limited to the managed policies the plan attaches; every IAM role carries the tag the policy requires", async () => {
                    const plan = await shippedPlan(stack);
                    const attach = allows.find((s) => list(s.Action).includes("iam:AttachRolePolicy"))!;
                    const allowed = list(attach.Condition?.ArnEquals?.["iam:PolicyARN"]);
                    const attached = plan.resources
                        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                        .map((r) => (r.inputs as { policyArn: string }).policyArn);
                    assert.deepEqual(
                        attached.filter((a) => !allowed.includes(a)),
                        [],
                    );
                    for (const s of allows.filter((x) =>
                        list(x.Action).some((a) => a.startsWith("iam:") && a !== "iam:PassRole" && a !== "iam:CreateServiceLinkedRole"),
                    )) {
                        const tag = s.Condition?.StringEquals?.["aws:ResourceTag/managed-by"] ?? s.Condition?.StringEquals?.["aws:RequestTag/managed-by"];
                        assert.equal(tag, "pulumi", `${s.Sid} is limited to roles tagged managed-by=pulumi`);
                    }
                    for (const r of plan.resources.filter((x) => x.type === "aws:iam/role:Role")) {
                        assert.equal((r.inputs as { tags?: Record<string, string> }).tags?.["managed-by"], "pulumi", `${r.name} is tagged managed-by=pulumi`);
                    }
                });
            }
        });
    }

    it("grants nothing the four plans do not need (least privilege)", async () => {
        const needed = new Set<string>(GCP_ALWAYS.permissions);
        for (const stack of STACKS) {
            const { types, lookups } = cloudSide(await shippedPlan(stack));
            for (const n of [...types.map(needOf), ...lookups.map(lookupOf)]) for (const p of n?.permissions ?? []) needed.add(p);
        }
        assert.deepEqual(
            role.includedPermissions.filter((p) => !needed.has(p)),
            [],
            "GCP custom role permissions no plan needs",
        );
        assert.deepEqual(
            [...awsActions].filter((a) => !needed.has(a)),
            [],
            "AWS actions no plan needs",
        );
        assert.deepEqual(
            grants.grants.map((g) => g.role).filter((r) => !Object.values(GCP).some((n) => n.billingAccount?.role === r)),
            [],
            "predefined roles no plan needs",
        );
    });

    it("the table cites a documentation page for every entry", () => {
        for (const [name, n] of Object.entries({ ...GCP, ...GCP_LOOKUPS, ...AWS, ...AWS_LOOKUPS })) {
            assert.match(n.source, /^https:\/\/(cloud\.google\.com|docs\.aws\.amazon\.com)\//, name);
            assert.ok(n.permissions.length > 0 || n.billingAccount, name);
        }
    });
});
