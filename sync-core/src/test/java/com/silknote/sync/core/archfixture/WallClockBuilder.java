package com.silknote.sync.core.archfixture;

import java.time.Clock;

/** Builders may default to system time. */
public final class WallClockBuilder {
    Clock clock = Clock.systemUTC();
}
