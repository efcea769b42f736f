import { PolicyPack } from "@pulumi/policy";
import { packName, policies } from "./policies";

// Constructing the pack starts the policy analyzer server: only `pulumi preview --policy-pack policy` loads this file.
new PolicyPack(packName, { policies });
