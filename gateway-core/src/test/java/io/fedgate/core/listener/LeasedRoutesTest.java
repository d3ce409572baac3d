package io.fedgate.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

class LeasedRoutesTest {
    /** Stands in for a route table: counts how often its TLS contexts would have been freed. */
    static class Table extends AbstractReferenceCounted {
        int freed;

        @Override
        protected void deallocate() {
            freed++;
        }

        @Override
        public Table touch(Object hint) {
            return this;
        }
    }

    @Test
    void aLeasedTableOutlivesItsReplacementUntilTheConnectionCloses() {
        Table first = new Table();
        LeasedRoutes<Table> routes = new LeasedRoutes<>(first);
        EmbeddedChannel connection = new EmbeddedChannel();

        assertThat(routes.lease(connection)).isSameAs(first);
        Table second = new Table();
        routes.replace(second);

        assertThat(first.freed).as("freed while a connection still routes by it").isZero();
        assertThat(routes.current()).isSameAs(second);
        connection.close();
        assertThat(first.freed).isEqualTo(1);
        assertThat(second.refCnt()).isEqualTo(1);
    }

    @Test
    void anUnleasedTableIsFreedOnReplaceAndTheLastOneOnClose() {
        Table first = new Table();
        Table second = new Table();
        LeasedRoutes<Table> routes = new LeasedRoutes<>(first);
        routes.replace(second);
        assertThat(first.freed).isEqualTo(1);
        routes.close();
        assertThat(second.freed).isEqualTo(1);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aLeaseThatLosesTheRaceWithASwapTakesTheNewTable() {
        Table next = new Table();
        LeasedRoutes<Table>[] slot = new LeasedRoutes[1];
        // The lease reads this table, then a swap releases it before the lease can retain it.
        Table swappedMeanwhile = new Table() {
            @Override
            public ReferenceCounted retain() {
                if (this != slot[0].current()) {
                    return super.retain();
                }
                slot[0].replace(next);
                return super.retain();
            }
        };
        slot[0] = new LeasedRoutes<>(swappedMeanwhile);
        EmbeddedChannel connection = new EmbeddedChannel();

        assertThat(slot[0].lease(connection)).isSameAs(next);
        assertThat(swappedMeanwhile.freed).isEqualTo(1);
        assertThat(next.refCnt()).isEqualTo(2);
        connection.close();
        assertThat(next.refCnt()).isEqualTo(1);
    }
}
