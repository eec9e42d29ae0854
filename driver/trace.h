/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edu - tracepoints: interrupts, DMA submit and completion, factorials.
 * Events carry the device index (N in eduN) rather than a name string,
 * which keeps them cheap and free of version-specific string helpers.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM edu

#if !defined(_EDU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _EDU_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(edu_irq,
	    TP_PROTO(int index, u32 status),
	    TP_ARGS(index, status),
	    TP_STRUCT__entry(__field(int, index)
			     __field(u32, status)),
	    TP_fast_assign(__entry->index = index;
			   __entry->status = status;),
	    TP_printk("edu%d status=0x%08x", __entry->index, __entry->status)
);

TRACE_EVENT(edu_dma_submit,
	    TP_PROTO(int index, bool to_dev, u32 dev_off, u32 len, unsigned int depth),
	    TP_ARGS(index, to_dev, dev_off, len, depth),
	    TP_STRUCT__entry(__field(int, index)
			     __field(bool, to_dev)
			     __field(u32, dev_off)
			     __field(u32, len)
			     __field(unsigned int, depth)),
	    TP_fast_assign(__entry->index = index;
			   __entry->to_dev = to_dev;
			   __entry->dev_off = dev_off;
			   __entry->len = len;
			   __entry->depth = depth;),
	    TP_printk("edu%d dir=%s off=%u len=%u depth=%u", __entry->index,
		      __entry->to_dev ? "to_dev" : "from_dev", __entry->dev_off, __entry->len,
		      __entry->depth)
);

TRACE_EVENT(edu_dma_done,
	    TP_PROTO(int index, bool to_dev, u32 len, int status),
	    TP_ARGS(index, to_dev, len, status),
	    TP_STRUCT__entry(__field(int, index)
			     __field(bool, to_dev)
			     __field(u32, len)
			     __field(int, status)),
	    TP_fast_assign(__entry->index = index;
			   __entry->to_dev = to_dev;
			   __entry->len = len;
			   __entry->status = status;),
	    TP_printk("edu%d dir=%s len=%u status=%d", __entry->index,
		      __entry->to_dev ? "to_dev" : "from_dev", __entry->len, __entry->status)
);

TRACE_EVENT(edu_factorial,
	    TP_PROTO(int index, u32 n, u32 result, int status),
	    TP_ARGS(index, n, result, status),
	    TP_STRUCT__entry(__field(int, index)
			     __field(u32, n)
			     __field(u32, result)
			     __field(int, status)),
	    TP_fast_assign(__entry->index = index;
			   __entry->n = n;
			   __entry->result = result;
			   __entry->status = status;),
	    TP_printk("edu%d n=%u result=%u status=%d", __entry->index, __entry->n,
		      __entry->result, __entry->status)
);

#endif /* _EDU_TRACE_H */

/* An out-of-tree module's trace header is found relative to its source. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
