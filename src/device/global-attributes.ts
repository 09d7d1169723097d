// The global attributes every cluster instance carries (Matter Core spec §7.13 "Global Elements"): ClusterRevision,
// FeatureMap, AttributeList, AcceptedCommandList and GeneratedCommandList. Controllers read them to learn what a
// node implements (matter.js builds its view of a peer from them), so they are derived here from what is served.
import { tlv } from '../codec/tlv.js';
import type { ServedCluster } from '../interaction/interaction-server.js';

export const GlobalAttribute = {
  clusterRevision: 0xfffd, featureMap: 0xfffc, attributeList: 0xfffb, acceptedCommandList: 0xfff9, generatedCommandList: 0xfff8,
} as const;

export interface ClusterIdentity {
  /** ClusterRevision (default 1). */
  revision?: number;
  /** FeatureMap bits (default 0). */
  featureMap?: number;
  /** Response commands the server sends (GeneratedCommandList). */
  generatedCommands?: readonly number[];
}

/** The cluster with its global attributes added (values the cluster itself gives win). */
export function withGlobalAttributes(cluster: ServedCluster, identity: ClusterIdentity = {}): ServedCluster {
  const attributes = { ...(cluster.attributes ?? {}) };
  const globals = Object.values(GlobalAttribute);
  const ids = [...new Set([...Object.keys(attributes).map(Number), ...globals])].sort((a, b) => a - b);
  const add = (id: number, value: ReturnType<typeof tlv.uint> | ReturnType<typeof tlv.array>) => {
    if (!(id in attributes)) attributes[id] = { value };
  };
  add(GlobalAttribute.clusterRevision, tlv.uint(identity.revision ?? 1));
  add(GlobalAttribute.featureMap, tlv.uint(identity.featureMap ?? 0));
  add(GlobalAttribute.attributeList, tlv.array(ids.map((id) => tlv.uint(id))));
  add(GlobalAttribute.acceptedCommandList, tlv.array(Object.keys(cluster.commands ?? {}).map(Number).sort((a, b) => a - b).map((id) => tlv.uint(id))));
  add(GlobalAttribute.generatedCommandList, tlv.array([...(identity.generatedCommands ?? [])].sort((a, b) => a - b).map((id) => tlv.uint(id))));
  return { ...(cluster.commands ? { commands: cluster.commands } : {}), attributes };
}
