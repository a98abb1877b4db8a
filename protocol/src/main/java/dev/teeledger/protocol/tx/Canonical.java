package dev.teeledger.protocol.tx;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Strict protobuf decoding for consensus data. A message is canonical when it
 * has no unknown fields (at any depth) and re-encodes to exactly the bytes it was
 * read from: fields in number order, each once, no default values, minimal
 * varints. protobuf-java's serializer produces that form for messages without
 * maps, which is why the chain's messages use no maps. Accepting only this form
 * gives every transaction a single encoding and so a single hash.
 */
public final class Canonical {
    private Canonical() {}

    /**
     * Parses {@code bytes} and checks canonicality.
     *
     * @param malformed the code for bytes that do not parse
     * @throws Rejection with {@code malformed}, or {@link ResultCode#NON_CANONICAL_ENCODING}
     */
    public static <T extends Message> T parse(Parser<T> parser, byte[] bytes, ResultCode malformed) throws Rejection {
        T message;
        try {
            message = parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new Rejection(malformed, e.getMessage());
        } catch (RuntimeException e) {
            throw new Rejection(malformed, "unparseable: " + e.getClass().getSimpleName());
        }
        if (hasUnknownFields(message)) {
            throw new Rejection(ResultCode.NON_CANONICAL_ENCODING, "unknown fields");
        }
        if (!Arrays.equals(message.toByteArray(), bytes)) {
            throw new Rejection(ResultCode.NON_CANONICAL_ENCODING, "bytes differ from the canonical encoding");
        }
        return message;
    }

    static boolean hasUnknownFields(Message message) {
        if (!message.getUnknownFields().asMap().isEmpty()) {
            return true;
        }
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (field.getKey().isRepeated()) {
                for (Object element : (List<?>) field.getValue()) {
                    if (hasUnknownFields((Message) element)) {
                        return true;
                    }
                }
            } else if (hasUnknownFields((Message) field.getValue())) {
                return true;
            }
        }
        return false;
    }
}
