package dev.sluice.apicurio;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.List;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;

/**
 * Stands in for the apicurio-common-app-components-config-index Quarkus extension (excluded in
 * the pom: its deployment jar is not on Maven Central). That extension's one contribution is
 * the list of dynamic configuration properties; the tests change none at run time, so an empty
 * list serves.
 */
@ApplicationScoped
public class ConfigIndexStub {
    @Produces
    @ApplicationScoped
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(List.of());
    }
}
