package dev.teeledger.service.common;

import java.util.HexFormat;
import java.util.Locale;

/**
 * Validation of the ids in paths and query parameters: manufacturer and HSM ids and firmware
 * hashes are SHA-256 values written as 64 hex digits (either case accepted, lower case used).
 * A bad id is a 400 problem, never a lookup.
 */
public final class Ids {
    private Ids() {}

    public static boolean isHex64(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The id in lower case, or a 400 problem naming the parameter. */
    public static String hex64(String param, String value) {
        if (!isHex64(value)) {
            throw ProblemException.badRequest("bad-id", param + " must be 64 hexadecimal digits (a SHA-256), got "
                    + (value == null ? "nothing" : "'" + abbreviate(value) + "'"));
        }
        return value.toLowerCase(Locale.ROOT);
    }

    public static byte[] bytes(String hex64) {
        return HexFormat.of().parseHex(hex64);
    }

    public static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
