// Imported first by every node and plugin of the package, for its side effect: fixes that must be
// in place before kafkajs is loaded (see aborted-records.ts).
import { fixAbortedRecordFilter } from './aborted-records';

fixAbortedRecordFilter();
