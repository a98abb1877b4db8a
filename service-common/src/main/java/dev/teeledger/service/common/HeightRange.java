package dev.teeledger.service.common;

/**
 * An inclusive range of block heights from {@code ?from=&to=} (both optional: 0 and
 * {@link Long#MAX_VALUE}). Called by the resources and gRPC services that list by height; a
 * value that is not a non-negative integer, or {@code from > to}, is a 400 problem
 * ({@code bad-range}).
 *
 * @param from lowest height included
 * @param to   highest height included
 */
public record HeightRange(long from, long to) {
    /** Every height. */
    public static final HeightRange ALL = new HeightRange(0, Long.MAX_VALUE);

    public HeightRange {
        if (from < 0 || to < 0) {
            throw ProblemException.badRequest("bad-range", "heights must not be negative, got from " + from + " to " + to);
        }
        if (from > to) {
            throw ProblemException.badRequest("bad-range", "from (" + from + ") is above to (" + to + ")");
        }
    }

    /** From query parameters; {@code null} means unbounded on that side. */
    public static HeightRange parse(String from, String to) {
        return new HeightRange(height("from", from, 0), height("to", to, Long.MAX_VALUE));
    }

    /** The gRPC form: 0 for {@code to} means unbounded. */
    public static HeightRange of(long from, long to) {
        return new HeightRange(from, to == 0 ? Long.MAX_VALUE : to);
    }

    private static long height(String name, String value, long dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            long v = Long.parseLong(value);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the problem below
        }
        throw ProblemException.badRequest("bad-range", name + " must be a height (an integer from 0), got '"
                + Ids.abbreviate(value) + "'");
    }
}
