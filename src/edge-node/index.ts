/** The edge node program (`batchrouter edge`, contract §11): its options, the node and its health port. */
export { resolveEdgeOptions, fileFlags, EdgeUsageError, EDGE_FLAGS, parseModels, type EdgeOptions } from './options'
export { EdgeNode } from './node'
export { startHealthServer } from './health-server'
