/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim.h: the smallest userspace stand-in for the kernel APIs that the
 * unmodified Linux dw-edma core (drivers/dma/dw-edma/dw-edma-core.c,
 * dw-edma-v0-core.c, dw-hdma-v0-core.c) and virt-dma.c use, so that they
 * compile and run in a normal process for instruction counting
 * (conformance/cost/run.sh). Every <linux/...> header those files include
 * is a one-line file in this directory that includes this one, except
 * <linux/dmaengine.h> and <linux/dma/edma.h>, which are Linux's own
 * (copied from the downloaded tree at build time).
 *
 * What stands in for what, and what it costs, is stated where it is
 * defined: locks and interrupt masking cost nothing here (a uniprocessor
 * kernel without debugging costs little more), memory comes from the
 * allocator kshim.c is built with (see KSHIM_ALLOC there), MMIO is a plain
 * volatile load or store (as on x86).
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef u16 __le16;
typedef u32 __le32;
typedef u64 __le64;
typedef u64 dma_addr_t;
typedef u64 phys_addr_t;
typedef u64 resource_size_t;
typedef unsigned int gfp_t;
typedef struct { int counter; } atomic_t;

#define __iomem
#define __force
#define __must_check
#define __deprecated
#define __init
#define __exit
#define __maybe_unused __attribute__((unused))
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __counted_by(x)
#define __user
#define __rcu
#define __percpu
#define noinline __attribute__((noinline))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define fallthrough __attribute__((__fallthrough__))
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))
#define barrier() __asm__ __volatile__("" ::: "memory")
#define BITS_PER_LONG 64
#define BITS_PER_BYTE 8
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define GENMASK(h, l) (((~0UL) << (l)) & (~0UL >> (63 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) << (l)) & (~0ULL >> (63 - (h))))
#define BITS_TO_LONGS(n) (((n) + 63) / 64)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
/* IS_ENABLED/IS_REACHABLE: the kernel's trick (an option is on when it is
 * defined as 1). */
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option) __is_defined(option)
#define IS_REACHABLE(option) __is_defined(option)
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define BUG() __builtin_trap()
#define BUG_ON(c) do { if (c) __builtin_trap(); } while (0)
#define WARN_ON(c) ({ int __w = !!(c); __w; })
#define WARN_ON_ONCE(c) WARN_ON(c)
#define WARN(c, ...) WARN_ON(c)
#define might_sleep() do { } while (0)
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_AUTHOR(x)
#define THIS_MODULE ((struct module *)0)
#define NUMA_NO_NODE (-1)
#define GFP_KERNEL 0u
#define GFP_NOWAIT 1u
#define GFP_ATOMIC 2u
#define __GFP_ZERO 0x100u
#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define U32_MAX UINT32_MAX
#define U64_MAX UINT64_MAX
#define SZ_4K 0x1000
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long e) { return (void *)e; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return IS_ERR_VALUE((unsigned long)p); }
static inline bool IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }

/* FIELD_PREP/FIELD_GET: the value of <linux/bitfield.h>, without its checks. */
#define FIELD_PREP(mask, val) \
	(((typeof(mask))(val) << __builtin_ctzll(mask)) & (mask))
#define FIELD_GET(mask, reg) \
	((typeof(mask))(((reg) & (mask)) >> __builtin_ctzll(mask)))

/* Bit operations: plain, as on a uniprocessor. */
static inline void set_bit(long nr, volatile unsigned long *a)
{ a[nr / 64] |= 1UL << (nr % 64); }
static inline void __set_bit(long nr, volatile unsigned long *a)
{ a[nr / 64] |= 1UL << (nr % 64); }
static inline void clear_bit(long nr, volatile unsigned long *a)
{ a[nr / 64] &= ~(1UL << (nr % 64)); }
static inline void __clear_bit(long nr, volatile unsigned long *a)
{ a[nr / 64] &= ~(1UL << (nr % 64)); }
static inline bool test_bit(long nr, const volatile unsigned long *a)
{ return (a[nr / 64] >> (nr % 64)) & 1; }
static inline void bitmap_zero(unsigned long *d, unsigned int n)
{ memset(d, 0, BITS_TO_LONGS(n) * sizeof(long)); }
static inline void bitmap_fill(unsigned long *d, unsigned int n)
{ memset(d, 0xff, BITS_TO_LONGS(n) * sizeof(long)); }
static inline void bitmap_and(unsigned long *d, const unsigned long *a,
			      const unsigned long *b, unsigned int n)
{ for (unsigned int i = 0; i < BITS_TO_LONGS(n); i++) d[i] = a[i] & b[i]; }
static inline void bitmap_or(unsigned long *d, const unsigned long *a,
			     const unsigned long *b, unsigned int n)
{ for (unsigned int i = 0; i < BITS_TO_LONGS(n); i++) d[i] = a[i] | b[i]; }
static inline bool bitmap_equal(const unsigned long *a, const unsigned long *b,
				unsigned int n)
{ return !memcmp(a, b, BITS_TO_LONGS(n) * sizeof(long)); }
static inline bool bitmap_empty(const unsigned long *a, unsigned int n)
{ for (unsigned int i = 0; i < BITS_TO_LONGS(n); i++) if (a[i]) return false; return true; }
static inline bool bitmap_subset(const unsigned long *a, const unsigned long *b,
				 unsigned int n)
{ for (unsigned int i = 0; i < BITS_TO_LONGS(n); i++) if (a[i] & ~b[i]) return false; return true; }
static inline unsigned long find_first_bit(const unsigned long *a, unsigned long n)
{ for (unsigned long i = 0; i < n; i++) if (test_bit(i, a)) return i; return n; }
static inline unsigned long find_next_bit(const unsigned long *a, unsigned long n,
					  unsigned long o)
{ for (unsigned long i = o; i < n; i++) if (test_bit(i, a)) return i; return n; }

#define for_each_set_bit(bit, addr, size) \
	for ((bit) = find_first_bit((addr), (size)); (bit) < (size); \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))

/* Lists: the kernel's doubly linked list, written again. */
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD_INIT(n) { &(n), &(n) }
#define LIST_HEAD(n) struct list_head n = LIST_HEAD_INIT(n)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l; l->prev = l; }
static inline void __list_link(struct list_head *n, struct list_head *p,
			       struct list_head *x)
{ x->prev = n; n->next = x; n->prev = p; p->next = n; }
static inline void list_add(struct list_head *n, struct list_head *h)
{ __list_link(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{ __list_link(n, h->prev, h); }
static inline void __list_unlink(struct list_head *e)
{ e->next->prev = e->prev; e->prev->next = e->next; }
static inline void list_del(struct list_head *e)
{ __list_unlink(e); e->next = (void *)0x100; e->prev = (void *)0x122; }
static inline void list_del_init(struct list_head *e)
{ __list_unlink(e); INIT_LIST_HEAD(e); }
static inline void list_move_tail(struct list_head *e, struct list_head *h)
{ __list_unlink(e); list_add_tail(e, h); }
static inline int list_empty(const struct list_head *h) { return READ_ONCE(h->next) == h; }
static inline void __list_join(const struct list_head *l, struct list_head *p,
			       struct list_head *n)
{ l->next->prev = p; p->next = l->next; l->prev->next = n; n->prev = l->prev; }
static inline void list_splice_tail_init(struct list_head *l, struct list_head *h)
{ if (!list_empty(l)) { __list_join(l, h->prev, h); INIT_LIST_HEAD(l); } }
static inline void list_splice_init(struct list_head *l, struct list_head *h)
{ if (!list_empty(l)) { __list_join(l, h, h->next); INIT_LIST_HEAD(l); } }
static inline void list_splice_tail(struct list_head *l, struct list_head *h)
{ if (!list_empty(l)) __list_join(l, h->prev, h); }
#define list_entry(p, t, m) container_of(p, t, m)
#define list_first_entry(h, t, m) list_entry((h)->next, t, m)
#define list_last_entry(h, t, m) list_entry((h)->prev, t, m)
#define list_first_entry_or_null(h, t, m) \
	(!list_empty(h) ? list_first_entry(h, t, m) : NULL)
#define list_next_entry(p, m) list_entry((p)->m.next, typeof(*(p)), m)
#define list_for_each_entry(p, h, m) \
	for (p = list_first_entry(h, typeof(*p), m); &p->m != (h); \
	     p = list_next_entry(p, m))
#define list_for_each_entry_safe(p, n, h, m) \
	for (p = list_first_entry(h, typeof(*p), m), n = list_next_entry(p, m); \
	     &p->m != (h); p = n, n = list_next_entry(n, m))

/*
 * Locks and interrupt masking: nothing to do in one thread. (A
 * uniprocessor kernel without lock debugging turns spin_lock_irqsave into
 * saving flags and cli; those few instructions are left out.)
 */
typedef struct { int unused; } spinlock_t;
typedef struct { int unused; } raw_spinlock_t;
#define spin_lock_init(l) ((void)(l))
#define raw_spin_lock_init(l) ((void)(l))
#define spin_lock(l) ((void)(l))
#define spin_unlock(l) ((void)(l))
#define spin_lock_irq(l) ((void)(l))
#define spin_unlock_irq(l) ((void)(l))
#define spin_lock_bh(l) ((void)(l))
#define spin_unlock_bh(l) ((void)(l))
#define spin_lock_irqsave(l, f) do { (void)(l); (f) = 0; } while (0)
#define spin_unlock_irqrestore(l, f) do { (void)(l); (void)(f); } while (0)
#define raw_spin_lock_irqsave(l, f) spin_lock_irqsave(l, f)
#define raw_spin_unlock_irqrestore(l, f) spin_unlock_irqrestore(l, f)
#define lockdep_assert_held(l) ((void)(l))

/* Atomics and references: plain, one thread. */
#define atomic_read(a) ((a)->counter)
#define atomic_set(a, v) ((a)->counter = (v))
struct kref { atomic_t refcount; };
static inline void kref_get(struct kref *k) { k->refcount.counter++; }
static inline int kref_put(struct kref *k, void (*release)(struct kref *))
{ if (--k->refcount.counter == 0) { release(k); return 1; } return 0; }
struct module;
struct ida { int unused; };
struct mutex { int unused; };
struct completion { int done; };
struct rcu_head { void *next; };
struct kobject { int unused; };
struct work_struct { int unused; };
struct dentry;
struct device_node;
struct page;
struct iov_iter;
struct seq_file;
struct irq_domain;
struct fwnode_handle;

/* Memory: kshim.c (bump allocator or malloc, see KSHIM_ALLOC). */
void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *p);
static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{ return kzalloc(n * size, gfp); }
#define kzalloc_obj(P, GFP) ((typeof(P) *)kzalloc(sizeof(P), GFP))
#define kmalloc_obj(P, GFP) ((typeof(P) *)kmalloc(sizeof(P), GFP))
#define kzalloc_objs(P, N, GFP) ((typeof(P) *)kcalloc(N, sizeof(P), GFP))

/* <linux/cleanup.h> guards for the one lock class the driver uses. */
typedef struct { spinlock_t *lock; unsigned long flags; } class_spinlock_irqsave_t;
static inline class_spinlock_irqsave_t class_spinlock_irqsave_constructor(spinlock_t *l)
{ class_spinlock_irqsave_t g = { l, 0 }; spin_lock_irqsave(l, g.flags); return g; }
static inline void class_spinlock_irqsave_destructor(class_spinlock_irqsave_t *g)
{ spin_unlock_irqrestore(g->lock, g->flags); }
#define __KSHIM_CAT2(a, b) a##b
#define __KSHIM_CAT(a, b) __KSHIM_CAT2(a, b)
#define guard(cls) \
	class_##cls##_t __KSHIM_CAT(__guard_, __COUNTER__) \
	__attribute__((cleanup(class_##cls##_destructor))) = class_##cls##_constructor
#define __scoped_guard(cls, id, ...) \
	for (class_##cls##_t id __attribute__((cleanup(class_##cls##_destructor))) = \
		     class_##cls##_constructor(__VA_ARGS__), *__KSHIM_CAT(id, _once) = (void *)1; \
	     __KSHIM_CAT(id, _once); __KSHIM_CAT(id, _once) = NULL)
#define scoped_guard(cls, ...) __scoped_guard(cls, __KSHIM_CAT(__sg_, __COUNTER__), __VA_ARGS__)

/* Devices. */
struct device_dma_parameters { unsigned int max_segment_size; unsigned int min_align_mask; unsigned long segment_boundary_mask; };
struct device {
	const char *init_name;
	struct device *parent;
	void *driver_data;
	struct device_dma_parameters *dma_parms;
	struct kobject kobj;
};
static inline const char *dev_name(const struct device *d) { return d->init_name; }
static inline void *dev_get_drvdata(const struct device *d) { return d->driver_data; }
static inline void dev_set_drvdata(struct device *d, void *p) { d->driver_data = p; }
void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp);
static inline void *devm_kcalloc(struct device *dev, size_t n, size_t size, gfp_t gfp)
{ return devm_kzalloc(dev, n * size, gfp); }
static inline void devm_kfree(struct device *dev, const void *p) { (void)dev; (void)p; }
int dma_set_max_seg_size(struct device *dev, unsigned int size);
static inline int device_register(struct device *d) { (void)d; return 0; }
/* Messages: compiled in (a format and arguments are passed), not printed. */
void kshim_log(const char *fmt, ...);
#define dev_err(d, ...) kshim_log(__VA_ARGS__)
#define dev_warn(d, ...) kshim_log(__VA_ARGS__)
#define dev_info(d, ...) kshim_log(__VA_ARGS__)
#define dev_dbg(d, ...) do { } while (0)
#define dev_vdbg(d, ...) do { } while (0)
#define dev_err_probe(d, e, ...) (kshim_log(__VA_ARGS__), (e))
#define pr_err(...) kshim_log(__VA_ARGS__)
#define pr_warn(...) kshim_log(__VA_ARGS__)
#define pr_info(...) kshim_log(__VA_ARGS__)
#define pr_debug(...) do { } while (0)
static inline const char *str_enabled_disabled(bool v) { return v ? "enabled" : "disabled"; }
static inline const char *str_write_read(bool v) { return v ? "write" : "read"; }
static inline const char *str_true_false(bool v) { return v ? "true" : "false"; }

/* Power management: a counter nobody reads. */
static inline int pm_runtime_get_sync(struct device *d) { (void)d; return 0; }
static inline int pm_runtime_put(struct device *d) { (void)d; return 0; }

/* Delays: no time passes. */
static inline void msleep(unsigned int ms) { (void)ms; }
static inline void udelay(unsigned long us) { (void)us; }
static inline void fsleep(unsigned long us) { (void)us; }
static inline void usleep_range(unsigned long a, unsigned long b) { (void)a; (void)b; }
#define HZ 100
extern unsigned long jiffies;
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
static inline unsigned long msecs_to_jiffies(unsigned int m) { return m; }

/* MMIO: plain volatile accesses, as on x86. */
static inline u32 readl(const volatile void __iomem *a) { return *(const volatile u32 *)a; }
static inline void writel(u32 v, volatile void __iomem *a) { *(volatile u32 *)a = v; }
static inline u64 readq(const volatile void __iomem *a) { return *(const volatile u64 *)a; }
static inline void writeq(u64 v, volatile void __iomem *a) { *(volatile u64 *)a = v; }
#define readl_relaxed readl
#define writel_relaxed writel
#define lo_hi_readq readq
#define lo_hi_writeq writeq

/* Scatterlists: one entry per element, the DMA address and length only. */
struct scatterlist {
	unsigned long page_link;
	unsigned int offset;
	unsigned int length;
	dma_addr_t dma_address;
	unsigned int dma_length;
};
#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg) ((sg)->dma_length)
#define SG_END 0x02UL
static inline bool sg_is_last(struct scatterlist *sg) { return sg->page_link & SG_END; }
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{ return sg_is_last(sg) ? NULL : sg + 1; }
#define for_each_sg(sgl, sg, nr, i) \
	for ((i) = 0, (sg) = (sgl); (i) < (nr); (i)++, (sg) = sg_next(sg))
static inline void sg_init_table(struct scatterlist *sgl, unsigned int n)
{ memset(sgl, 0, sizeof(*sgl) * n); sgl[n - 1].page_link |= SG_END; }
struct sg_table { struct scatterlist *sgl; unsigned int nents, orig_nents; };

/* DMA mapping: addresses are given as bus addresses already. */
enum dma_data_direction { DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_NONE };

/* Interrupts: the harness calls the handlers itself. */
typedef int irqreturn_t;
#define IRQ_NONE 0
#define IRQ_HANDLED 1
#define IRQ_WAKE_THREAD 2
#define IRQF_SHARED 0x80
typedef irqreturn_t (*irq_handler_t)(int, void *);
int request_irq(unsigned int irq, irq_handler_t h, unsigned long flags,
		const char *name, void *dev);
const void *free_irq(unsigned int irq, void *dev);
struct msi_msg { u32 address_lo; u32 address_hi; u32 data; };
struct msi_desc { struct { struct { u8 is_msix; } msi_attrib; } pci; };
static inline struct msi_desc *irq_get_msi_desc(unsigned int irq) { (void)irq; return NULL; }
static inline void get_cached_msi_msg(unsigned int irq, struct msi_msg *m) { (void)irq; (void)m; }
struct irq_data { void *chip_data; };
struct irq_chip {
	const char *name;
	void (*irq_ack)(struct irq_data *d);
	unsigned long flags;
};
#define IRQCHIP_ONESHOT_SAFE 0x20
#define IRQCHIP_SKIP_SET_WAKE 0x10
#define IRQ_LEVEL 0x100
typedef void (*irq_flow_handler_t)(void *desc);
void handle_level_irq(void *desc);
static inline void *irq_data_get_irq_chip_data(struct irq_data *d) { return d->chip_data; }
int irq_alloc_desc(int node);
static inline void irq_free_descs(unsigned int irq, unsigned int n) { (void)irq; (void)n; }
static inline void irq_set_chip_and_handler(unsigned int irq, struct irq_chip *c,
					    irq_flow_handler_t h) { (void)irq; (void)c; (void)h; }
static inline void irq_set_status_flags(unsigned int irq, unsigned long f) { (void)irq; (void)f; }
static inline int irq_set_chip_data(unsigned int irq, void *d) { (void)irq; (void)d; return 0; }
static inline void irq_set_noprobe(unsigned int irq) { (void)irq; }
int generic_handle_irq(unsigned int irq);

/* Tasklets: kshim.c runs a scheduled tasklet when the harness says so. */
struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;
	bool use_callback;
	void (*callback)(struct tasklet_struct *t);
	void (*func)(unsigned long data);
	unsigned long data;
};
#define from_tasklet(var, t, field) container_of(t, typeof(*var), field)
static inline void tasklet_setup(struct tasklet_struct *t,
				 void (*cb)(struct tasklet_struct *))
{ memset(t, 0, sizeof(*t)); t->use_callback = true; t->callback = cb; }
void tasklet_schedule(struct tasklet_struct *t);
static inline void tasklet_kill(struct tasklet_struct *t) { (void)t; }

/* debugfs: off (CONFIG_DEBUG_FS is not set). */
struct file_operations;

/* I/O vectors (for <linux/dmaengine.h>'s prototypes). */
struct kvec { void *iov_base; size_t iov_len; };

#endif
