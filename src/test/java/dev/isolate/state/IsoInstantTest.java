package dev.isolate.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {
    /** Years 0000 to 9999, as seconds since the epoch. */
    private static final long FIRST = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long LAST = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    @Test
    void writesWhatInstantWritesAndReadsItBack() {
        SplittableRandom random = new SplittableRandom(14);
        List<Integer> nanos = List.of(0, 5_000_000, 123_000_000, 7_000, 123_456_000, 1, 999_999_999);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(FIRST, LAST + 1),
                    i % 3 == 0 ? random.nextInt(1_000_000_000) : nanos.get(i % nanos.size()));
            String text = IsoInstant.format(instant);
            assertEquals(instant.toString(), text);
            assertEquals(instant, IsoInstant.parse(text), text);
            assertEquals(instant.truncatedTo(ChronoUnit.SECONDS).toString(), IsoInstant.formatSeconds(instant));
        }
    }

    @Test
    void readsWhatInstantReads() {
        for (String text : List.of("1970-01-01T00:00:00Z", "2000-02-29T23:59:59.5Z", "1900-03-01T12:00:00.12345Z",
                "2026-12-01T16:30:36.123456789Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z")) {
            assertEquals(Instant.parse(text), IsoInstant.parse(text), text);
        }
    }

    @Test
    void refusesWhatInstantRefuses() {
        for (String text : List.of("", "2026-12-01 16:30:36Z", "2026-12-01T16:30:36", "2026-12-01T16:30:36.Z",
                "2026-12-01T16:30:36.1234567890Z", "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-04-31T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T16:60:00Z", "2026-1x-01T00:00:00Z")) {
            assertThrows(IllegalArgumentException.class, () -> IsoInstant.parse(text), text);
        }
    }
}
