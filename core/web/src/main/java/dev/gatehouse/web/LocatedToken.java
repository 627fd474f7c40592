/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.gatehouse.web;

import java.util.Objects;

/**
 * Where (if anywhere) a request carries its access token: the result of {@link TokenLocator}.
 * {@link #toString()} never prints the token.
 */
public final class LocatedToken {
    /** What was found. */
    public enum Kind {
        /** No token at all: answer with a bare {@code Bearer} challenge (RFC 6750 §3.1). */
        NONE,
        /** Exactly one token, in {@link #transport()}. */
        FOUND,
        /** A malformed {@code Authorization} header, or more than one token: {@code 400 invalid_request}. */
        MALFORMED
    }

    private static final LocatedToken NONE = new LocatedToken(Kind.NONE, null, null, null);

    private final Kind kind;
    private final String token;
    private final Transport transport;
    private final String problem;

    private LocatedToken(Kind kind, String token, Transport transport, String problem) {
        this.kind = kind;
        this.token = token;
        this.transport = transport;
        this.problem = problem;
    }

    static LocatedToken none() {
        return NONE;
    }

    static LocatedToken found(String token, Transport transport) {
        return new LocatedToken(Kind.FOUND, Objects.requireNonNull(token), Objects.requireNonNull(transport), null);
    }

    static LocatedToken malformed(String problem) {
        return new LocatedToken(Kind.MALFORMED, null, null, Objects.requireNonNull(problem));
    }

    public Kind kind() {
        return kind;
    }

    /** The token, when {@link Kind#FOUND}; otherwise {@code null}. A secret: never log it. */
    public String token() {
        return token;
    }

    /** The transport it came in, when {@link Kind#FOUND}. */
    public Transport transport() {
        return transport;
    }

    /** Why the request is malformed, when {@link Kind#MALFORMED}: a fixed text, safe to show. */
    public String problem() {
        return problem;
    }

    @Override
    public String toString() {
        return "LocatedToken{" + kind + (transport == null ? "" : ", " + transport) + (problem == null ? "" : ", " + problem) + "}";
    }
}
