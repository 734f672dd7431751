/// The mutable state of a `StructuredDRAM` in flat buffers: per channel, per bank group and per bank timing, and the
/// per-channel counters. A class so the hot path reaches it through plain pointers (no array bounds or uniqueness
/// checks per access: the per-burst path ran about twice as long with arrays); `StructuredDRAM` keeps value
/// semantics by copying it on write (`isKnownUniquelyReferenced` once per request).
final class DRAMStorage: @unchecked Sendable {
    let channelCount: Int, groupCount: Int, bankCount: Int
    let channels: UnsafeMutablePointer<ChannelTiming>
    let groups: UnsafeMutablePointer<GroupTiming>
    let banks: UnsafeMutablePointer<BankTiming>
    let stats: UnsafeMutablePointer<MemoryChannelStatistics>
    /// Scratch for `StreamJump`: three snapshots of one channel's state and the first column command of every run
    /// of three cycles. Not state: a copy gets fresh scratch.
    let snapshotWords: Int, cycleRuns: Int
    let snapshots: UnsafeMutablePointer<Int>
    let firstColumns: UnsafeMutablePointer<Int>
    /// Runs applied by `jumpPeriods` (tests check that the jump is exercised).
    var runsJumped = 0

    init(channels: Int, groupsPerChannel: Int, banksPerGroup: Int, firstRefresh: Int) {
        channelCount = channels
        groupCount = channels &* groupsPerChannel
        bankCount = groupCount &* banksPerGroup
        cycleRuns = groupsPerChannel &* banksPerGroup
        snapshotWords = StreamJump.words(groups: groupsPerChannel, banks: cycleRuns)
        snapshots = .allocate(capacity: 3 &* snapshotWords)
        firstColumns = .allocate(capacity: 3 &* cycleRuns)
        self.channels = .allocate(capacity: channelCount)
        self.channels.initialize(repeating: ChannelTiming(firstRefresh: firstRefresh), count: channelCount)
        groups = .allocate(capacity: groupCount)
        groups.initialize(repeating: GroupTiming(), count: groupCount)
        banks = .allocate(capacity: bankCount)
        banks.initialize(repeating: BankTiming(), count: bankCount)
        stats = .allocate(capacity: channelCount)
        stats.initialize(repeating: MemoryChannelStatistics(), count: channelCount)
    }

    /// An independent copy.
    init(copying o: DRAMStorage) {
        channelCount = o.channelCount; groupCount = o.groupCount; bankCount = o.bankCount
        snapshotWords = o.snapshotWords; cycleRuns = o.cycleRuns
        snapshots = .allocate(capacity: 3 &* snapshotWords)
        firstColumns = .allocate(capacity: 3 &* cycleRuns)
        channels = .allocate(capacity: channelCount)
        channels.initialize(from: o.channels, count: channelCount)
        groups = .allocate(capacity: groupCount)
        groups.initialize(from: o.groups, count: groupCount)
        banks = .allocate(capacity: bankCount)
        banks.initialize(from: o.banks, count: bankCount)
        stats = .allocate(capacity: channelCount)
        stats.initialize(from: o.stats, count: channelCount)
    }

    deinit {
        channels.deinitialize(count: channelCount); channels.deallocate()
        groups.deinitialize(count: groupCount); groups.deallocate()
        banks.deinitialize(count: bankCount); banks.deallocate()
        stats.deinitialize(count: channelCount); stats.deallocate()
        snapshots.deallocate(); firstColumns.deallocate()
    }

    var channelStatistics: [MemoryChannelStatistics] { Array(UnsafeBufferPointer(start: stats, count: channelCount)) }
}
