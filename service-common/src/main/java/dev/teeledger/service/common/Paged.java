package dev.teeledger.service.common;

import java.util.List;

/**
 * One page of rows and how many rows there are in all: what a store returns for a
 * {@link PageRequest}. Services wrap it into their own answer record (which adds the read
 * model's height under its own name), so the JSON of existing endpoints stays as it is.
 *
 * @param items the rows of this page, in the list's order
 * @param page  the request's page number
 * @param size  the request's page size
 * @param total rows in the whole list
 */
public record Paged<T>(List<T> items, int page, int size, long total) {
    public Paged {
        items = List.copyOf(items);
    }

    /** A page of {@code items} for {@code request} out of {@code total}. */
    public static <T> Paged<T> of(List<T> items, PageRequest request, long total) {
        return new Paged<>(items, request.page(), request.size(), total);
    }
}
