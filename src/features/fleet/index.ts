/**
 * The fleet (contract §11): join tokens, edge nodes, their heartbeats and leases. A fleet lease is
 * an item lease held by a node (features/dispatch claim helper); results settle through the one
 * outcome path; online nodes' offerings become edge lanes in the effective catalog.
 */
export { fleetJoinTokensTable, fleetNodesTable, type NodeRow, type JoinTokenRow, type NodeOffering, type TrustTier, type NodeStatus } from './table'
export { authenticateNode, nodeAuth } from './auth'
export { fleetAdminRoutes, fleetNodeRoutes } from './routes'
export { withFleetLanes, withEdgeLanes, edgeOfferingId, nodeOfferingIds, servesWork, type EdgeNode, type FleetLaneSettings } from './lanes'
export { markSilentNodesOffline, listNodes, revokeNode, drainNode, MISSED_HEARTBEATS } from './nodes'
export { createJoinToken, listJoinTokens, type JoinTokenRequest } from './enrol'
export { wakeLeaseWaiters, fleetGeneration } from './signals'
export { presentNode, presentJoinToken } from './present'
