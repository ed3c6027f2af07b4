/** Migration scripts for another warehouse: the recommendations as a Redshift cluster's ALTERs, and their inverse. */
export { redshiftMigration, redshiftAlter, redshiftInverse, undoPath, type MigrationScript, type MigrationOptions, type ScriptStatement, type ScriptAdvice, type ScriptGroup } from './redshift-script.js';
