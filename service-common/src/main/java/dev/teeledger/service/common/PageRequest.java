package dev.teeledger.service.common;

/**
 * One page of a paged list, as the services accept it: {@code page} from 0 (default 0) and
 * {@code size} from 1 to {@link #MAX_SIZE} (default {@link #DEFAULT_SIZE}). Called by every
 * resource and gRPC service that pages a read model, so that all of them accept and refuse the
 * same values with the same 400 problem ({@code bad-paging}). The page number is bounded so that
 * {@link #offset()} never overflows an int.
 *
 * @param page page number from 0
 * @param size rows per page
 */
public record PageRequest(int page, int size) {
    /** Rows per page when {@code size} is not given. */
    public static final int DEFAULT_SIZE = 20;
    /** Most rows per page. */
    public static final int MAX_SIZE = 100;
    /** Highest page number: {@code MAX_PAGE × MAX_SIZE} still fits an int. */
    public static final int MAX_PAGE = Integer.MAX_VALUE / MAX_SIZE;

    /** Validates already-typed values (gRPC, where 0 means "not set" for the size). */
    public PageRequest {
        check("page", page, 0, MAX_PAGE, Integer.toString(page));
        check("size", size, 1, MAX_SIZE, Integer.toString(size));
    }

    /**
     * Parses query parameters taken as strings (so that a malformed value is a 400 problem, not
     * the JAX-RS default 404); {@code null} means the default.
     */
    public static PageRequest parse(String page, String size) {
        return new PageRequest(intParam("page", page, 0, MAX_PAGE), intParam("size", size, DEFAULT_SIZE, MAX_SIZE));
    }

    /** The gRPC form: proto3 integers default to 0, so a size of 0 means the default size. */
    public static PageRequest of(long page, long size) {
        long s = size == 0 ? DEFAULT_SIZE : size;
        check("page", page, 0, MAX_PAGE, Long.toString(page));
        check("size", s, 1, MAX_SIZE, Long.toString(size));
        return new PageRequest((int) page, (int) s);
    }

    /** Rows to skip. */
    public long offset() {
        return (long) page * size;
    }

    private static int intParam(String name, String value, int dflt, int max) {
        if (value == null) {
            return dflt;
        }
        int min = name.equals("page") ? 0 : 1;
        try {
            int v = Integer.parseInt(value);
            check(name, v, min, max, value);
            return v;
        } catch (NumberFormatException e) {
            throw problem(name, min, max, value);
        }
    }

    private static void check(String name, long v, int min, int max, String text) {
        if (v < min || v > max) {
            throw problem(name, min, max, text);
        }
    }

    private static ProblemException problem(String name, int min, int max, String value) {
        return ProblemException.badRequest("bad-paging", name + " must be an integer from " + min + " to " + max
                + ", got '" + Ids.abbreviate(value) + "'");
    }
}
