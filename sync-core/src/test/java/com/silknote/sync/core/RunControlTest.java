package com.silknote.sync.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 "graceful stop": a run control asked to stop says so, with the first reason given. */
class RunControlTest {
    @Test
    @DisplayName("issue 11: a fresh control has no stop request and no reason")
    void aFreshControlIsNotStopped() {
        RunControl c = new RunControl();
        assertThat(c.isStopRequested()).isFalse();
        assertThat(c.stopReason()).isEmpty();
    }

    @Test
    @DisplayName("issue 11: a stop without a reason says 'stop requested'; a later reason does not replace it")
    void aStopWithoutAReasonSaysSoAndTheFirstReasonWins() {
        RunControl c = new RunControl();
        c.requestStop();
        c.requestStop("host shutting down");
        assertThat(c.isStopRequested()).isTrue();
        assertThat(c.stopReason()).contains("stop requested");
    }

    @Test
    @DisplayName("issue 11: the first reason given wins")
    void theFirstReasonWins() {
        RunControl c = new RunControl();
        c.requestStop("host shutting down");
        c.requestStop();
        assertThat(c.isStopRequested()).isTrue();
        assertThat(c.stopReason()).contains("host shutting down");
    }
}
