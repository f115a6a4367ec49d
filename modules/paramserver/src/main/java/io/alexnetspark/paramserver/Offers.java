package io.alexnetspark.paramserver;

import io.aeron.Publication;

/** What an {@code offer()} result means for the caller. */
final class Offers {

    private Offers() {
    }

    /** True for results that clear by themselves: retry after idling (until a deadline). */
    static boolean isTransient(long result) {
        return result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION;
    }

    /** Throws the clear exception for a result that retrying cannot fix. */
    static ParameterServerException failure(long result, String what) {
        String why;
        if (result == Publication.NOT_CONNECTED) {
            why = "not connected (no subscriber: is the other side running and reachable?)";
        } else if (result == Publication.CLOSED) {
            why = "publication closed";
        } else if (result == Publication.MAX_POSITION_EXCEEDED) {
            why = "max position exceeded (stream exhausted: reconnect)";
        } else {
            why = "offer result " + result;
        }
        return new ParameterServerException(what + ": " + why);
    }
}
