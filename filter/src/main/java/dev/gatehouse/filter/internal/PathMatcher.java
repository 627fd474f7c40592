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

package dev.gatehouse.filter.internal;

import dev.gatehouse.token.ConfigurationException;

import java.util.ArrayList;
import java.util.List;

/**
 * Matches context-relative request paths against patterns in the servlet-mapping style: an exact
 * path ({@code /api/ping}) or a prefix ending in {@code /*} ({@code /static/*}, which also matches
 * {@code /static} itself). Thread-safe.
 */
public final class PathMatcher {
    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();

    public PathMatcher(String setting, List<String> patterns) {
        for (String pattern : patterns) {
            if (!pattern.startsWith("/") || (pattern.indexOf('*') >= 0 && !pattern.endsWith("/*"))
                    || pattern.indexOf('*') != pattern.lastIndexOf('*')) {
                throw new ConfigurationException(setting, "'" + pattern + "' is neither an exact path (/a/b) nor a prefix (/a/*)");
            }
            if (pattern.endsWith("/*")) {
                prefixes.add(pattern.substring(0, pattern.length() - 2));
            } else {
                exact.add(pattern);
            }
        }
    }

    public boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty();
    }

    /**
     * Whether {@code path} is one of the exact paths, or lies under one of the prefixes.
     *
     * @param path the context-relative path as the container decoded and normalised it
     *             (servlet path + path info), never the raw request URI
     */
    public boolean matches(String path) {
        if (exact.contains(path)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (path.equals(prefix) || prefix.isEmpty() || path.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }
}
