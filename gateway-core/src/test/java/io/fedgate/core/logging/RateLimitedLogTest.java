package io.fedgate.core.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fedgate.core.testing.LogCapture;

/** The time is stepped by hand: nothing here waits. */
class RateLimitedLogTest {
    private final LogCapture capture = LogCapture.of(RateLimitedLogTest.class.getName());
    private final Logger logger = capture.logger();
    private final List<LogRecord> records = capture.records();
    private final AtomicLong now = new AtomicLong(1_000);
    private final RateLimitedLog log = new RateLimitedLog(logger, Level.WARNING, Duration.ofSeconds(30), now::get);

    @AfterEach
    void release() {
        capture.close();
    }

    private void event(String key) {
        log.log(key, suppressed -> key + RateLimitedLog.suppressedSuffix(suppressed));
    }

    private void advance(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void oneLinePerKeyPerIntervalTellingHowManyWereLeftOut() {
        event("too-large");
        event("too-large");
        event("too-large");
        advance(29);
        event("too-large");
        assertThat(records).extracting(LogRecord::getMessage).containsExactly("too-large");

        advance(1);
        event("too-large");
        assertThat(records).extracting(LogRecord::getMessage)
                .containsExactly("too-large", "too-large (3 more since the last such line)");
        assertThat(records).allSatisfy(record -> assertThat(record.getLevel()).isEqualTo(Level.WARNING));

        advance(60);
        event("too-large");
        assertThat(records).last().extracting(LogRecord::getMessage).isEqualTo("too-large");
    }

    @Test
    void keysAreLimitedApart() {
        event("too-large");
        event("truncated");
        event("too-large");
        event("truncated");

        assertThat(records).extracting(LogRecord::getMessage).containsExactly("too-large", "truncated");
    }

    @Test
    void theIntervalMustBePositive() {
        assertThatThrownBy(() -> new RateLimitedLog(logger, Level.INFO, Duration.ZERO))
                .hasMessage("interval: PT0S (expected: > 0)");
    }
}
