package org.memcircuits.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer, preallocated to the final length and written in place, so a
 * generation step costs the attention over the past and nothing more (no growing concatenation).
 */
public final class KvCache {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final boolean[][] keyMask;
    private final int capacity;
    private int length;

    public KvCache(NDManager manager, ModelConfig c, int batch, int capacity, DataType type) {
        this(manager, c.nLayers(), new Shape(batch, c.nHeads(), capacity, c.dHead()), type, batch, capacity);
    }

    private KvCache(NDManager manager, int layers, Shape s, DataType type, int batch, int capacity) {
        this.capacity = capacity;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(s, type);
            values[l] = manager.zeros(s, type);
        }
        this.keyMask = new boolean[batch][capacity];
    }

    /**
     * A new cache, owned by {@code manager}, that starts with copies of this one's positions and has
     * room for {@code capacity} in all; this one is left as it is, so that several runs can continue
     * from one shared prefix.
     */
    public KvCache fork(NDManager manager, int capacity) {
        if (capacity < length) {
            throw new IllegalArgumentException("a fork of a cache of " + length + " positions needs capacity >= " + length);
        }
        Shape s = keys[0].getShape();
        KvCache c = new KvCache(manager, keys.length, new Shape(s.get(0), s.get(1), capacity, s.get(3)), keys[0].getDataType(),
                keyMask.length, capacity);
        NDIndex done = new NDIndex(":, :, :{}", length);
        for (int l = 0; l < keys.length; l++) {
            try (NDArray k = keys[l].get(done); NDArray v = values[l].get(done)) {
                c.keys[l].set(done, k);
                c.values[l].set(done, v);
            }
        }
        for (int b = 0; b < keyMask.length; b++) {
            System.arraycopy(keyMask[b], 0, c.keyMask[b], 0, length);
        }
        c.length = length;
        return c;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    boolean[][] keyMask() {
        return keyMask;
    }

    /** Records the mask of {@code n} new positions before the layers write their keys. */
    void append(boolean[][] newMask) {
        int n = newMask[0].length;
        if (length + n > capacity) {
            throw new IllegalStateException("KV cache of " + capacity + " positions cannot take " + n + " more after " + length);
        }
        for (int b = 0; b < newMask.length; b++) {
            System.arraycopy(newMask[b], 0, keyMask[b], length, n);
        }
    }

    /** Writes this layer's new keys and values [B, H, n, dHead] and returns views of all so far. */
    NDArray[] write(int layer, NDArray k, NDArray v) {
        int n = (int) k.getShape().get(2);
        NDIndex slot = new NDIndex(":, :, {}:{}", length, length + n);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        NDIndex upto = new NDIndex(":, :, :{}", length + n);
        NDArray kk = keys[layer].get(upto);
        NDArray vv = values[layer].get(upto);
        // Views are created in the cache's manager; move them to the step's scope.
        kk.attach(k.getManager());
        vv.attach(k.getManager());
        return new NDArray[] {kk, vv};
    }

    /** Called once all layers have written a step. */
    void advance(int n) {
        length += n;
    }
}
