/** What the CLI and the server use of backups. */
export { createBackup, type BackupResult } from './create'
export { restoreBackup, BackupInvalidError, type RestoreResult } from './restore'
export { verifyBackup, MANIFEST_FILE, type BackupManifest } from './manifest'
export { runScheduledBackup, listBackups, backupName } from './schedule'
