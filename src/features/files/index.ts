/** What other features may use of files. */
export { getFileForOrg, type OrgFile, type FileReader } from './service'
export { storeFileFromPath, removeFileRowInTx, type FileMeta } from './store'
export { presentFile } from './present'
export { filesRoutes } from './routes'
export { filesTable, type FileRow } from './table'
export { FileObject, isBatchInputPurpose, type FilePurpose } from './models'
