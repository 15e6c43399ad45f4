package io.raftmq.commitlog.io;

/**
 * How segment files are accessed. {@link #CHANNEL} (the default) writes with pwrite and forces with fdatasync;
 * a full disk surfaces as a clean ENOSPC error. {@link #MAPPED} maps each file; its blocks are allocated by
 * zero-filling at creation so that a full disk fails at creation and never as SIGBUS on a page fault.
 * docs/benchmarks.md (## CommitLog) has the measurement behind the default.
 */
public enum IoMode {
    CHANNEL,
    MAPPED
}
