package dev.isolate.state;

import java.time.Instant;

/**
 * Instants as ISO-8601 text in UTC, exactly as Instant.toString writes them and Instant.parse
 * reads them (years 0000 to 9999): {@code 2026-12-01T16:30:36.123Z}. Written out because
 * java.time's formatters cost 10-20 ms at their first use in a JVM, which every named launch,
 * run -d and ps would pay for one timestamp.
 */
public final class IsoInstant {
    private static final long SECONDS_PER_DAY = 86_400;
    /** Days from 0000-03-01, the start of the proleptic Gregorian calendar's 400-year cycle, to 1970-01-01. */
    private static final long EPOCH_SHIFT = 719_468;
    private static final long DAYS_PER_ERA = 146_097;

    private IsoInstant() {
    }

    /**
     * The same, to the second: its fraction dropped, as truncatedTo(ChronoUnit.SECONDS) would,
     * which would initialise ChronoUnit, Duration and BigInteger (5 ms interpreted, on JDK 17).
     */
    public static String formatSeconds(Instant instant) {
        return format(Instant.ofEpochSecond(instant.getEpochSecond()));
    }

    /** The text Instant.toString gives: the fraction in groups of three digits, only as long as needed. */
    public static String format(Instant instant) {
        long days = Math.floorDiv(instant.getEpochSecond(), SECONDS_PER_DAY);
        long second = Math.floorMod(instant.getEpochSecond(), SECONDS_PER_DAY);
        // Civil date from days since the epoch (H. Hinnant's algorithm), in years starting in March.
        long z = days + EPOCH_SHIFT;
        long era = Math.floorDiv(z, DAYS_PER_ERA);
        long dayOfEra = z - era * DAYS_PER_ERA;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
        long month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) {
            throw new IllegalArgumentException("not a year of four digits: " + instant);
        }
        StringBuilder text = new StringBuilder(30);
        digits(text, year, 4).append('-');
        digits(text, month, 2).append('-');
        digits(text, day, 2).append('T');
        digits(text, second / 3600, 2).append(':');
        digits(text, second / 60 % 60, 2).append(':');
        digits(text, second % 60, 2);
        int nanos = instant.getNano();
        if (nanos != 0) {
            text.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(text, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                digits(text, nanos / 1000, 6);
            } else {
                digits(text, nanos, 9);
            }
        }
        return text.append('Z').toString();
    }

    /**
     * What Instant.parse reads from {@code YYYY-MM-DDTHH:MM:SS[.F]Z}, F being one to nine digits.
     *
     * @throws IllegalArgumentException for any other text
     */
    public static Instant parse(String text) {
        if (text.length() < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(text.length() - 1) != 'Z') {
            throw new IllegalArgumentException("not an ISO-8601 instant: " + text);
        }
        long year = number(text, 0, 4);
        long month = number(text, 5, 7);
        long day = number(text, 8, 10);
        long hour = number(text, 11, 13);
        long minute = number(text, 14, 16);
        long second = number(text, 17, 19);
        int nanos = 0;
        int end = text.length() - 1;
        if (end > 19) {
            int digits = end - 20;
            if (text.charAt(19) != '.' || digits < 1 || digits > 9) {
                throw new IllegalArgumentException("not an ISO-8601 instant: " + text);
            }
            nanos = (int) number(text, 20, end);
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        } else if (end != 19) {
            throw new IllegalArgumentException("not an ISO-8601 instant: " + text);
        }
        if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59
                || second > 59) {
            throw new IllegalArgumentException("not a date and time: " + text);
        }
        // Days since the epoch from the civil date (the inverse of format's algorithm).
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        long days = era * DAYS_PER_ERA + dayOfEra - EPOCH_SHIFT;
        return Instant.ofEpochSecond(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second, nanos);
    }

    private static long daysIn(long year, long month) {
        if (month == 2) {
            return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
        }
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    private static long number(String text, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not an ISO-8601 instant: " + text);
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static StringBuilder digits(StringBuilder text, long n, int width) {
        String s = Long.toString(n);
        for (int i = s.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(s);
    }
}
