/** What other features may use of files. */
export { getFileForOrg, type OrgFile } from './service'
export { storeFileFromPath, type FileMeta } from './store'
export { presentFile } from './present'
export { filesTable, type FileRow } from './table'
export { FileObject, isBatchInputPurpose, type FilePurpose } from './models'
