package com.silknote.sync.core.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DESIGN rule 15: alert thresholds that could never fire are refused when the configuration is built. */
class AlertThresholdsTest {
    private static AlertThresholds errorRates(double warning, double critical) {
        return new AlertThresholds(Duration.ofSeconds(300), Duration.ofSeconds(600), warning, critical, 3, 5);
    }

    @Test
    void notANumberIsRefusedForEitherErrorRate() {
        assertThatThrownBy(() -> errorRates(Double.NaN, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> errorRates(0.05, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorRatesMustBeOrderedFractions() {
        assertThatThrownBy(() -> errorRates(-0.01, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> errorRates(0.2, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> errorRates(0.05, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> errorRates(0.0, 1.0)).doesNotThrowAnyException();
        assertThatCode(AlertThresholds::defaults).doesNotThrowAnyException();
    }
}
