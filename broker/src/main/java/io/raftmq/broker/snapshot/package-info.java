/**
 * Broker snapshots (docs/snapshots.md): the named parts features contribute, the snapshot file format and store,
 * periodic taking, restore at start and on install, and the floor features put under log compaction.
 */
package io.raftmq.broker.snapshot;
