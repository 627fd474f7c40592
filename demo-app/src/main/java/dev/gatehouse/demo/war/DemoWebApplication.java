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

package dev.gatehouse.demo.war;

import dev.gatehouse.demo.DemoContext;
import dev.gatehouse.demo.DemoMailboxResource;
import dev.gatehouse.demo.DemoResources;
import dev.gatehouse.jaxrs.GatehouseFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The same JAX-RS application as on Grizzly, for Jersey's servlet container. The Gatehouse servlet
 * filter authenticates first; the JAX-RS side then uses its principal without verifying again.
 */
public final class DemoWebApplication extends ResourceConfig {
    public DemoWebApplication() {
        DemoContext context = DemoContextListener.current();
        DemoResources.register(this, context.profiles);
        if (context.mailbox != null) {
            DemoMailboxResource.register(this, context.mailbox);
        }
        register(GatehouseFeature.builder(context.service)
                .asyncTimeout(context.settings.authTimeout)
                .web(context.web)
                .build());
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
    }
}
