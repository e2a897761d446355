// Frame receiver: a byte stream in, validated frames out.
//
// Frame (PROTOCOL.md): SOF | LEN u16 LE | SEQ | OPC | HCRC | payload[LEN] | FCRC u32 LE.
// This module is the RTL twin of the Python `firmware_interface.codec.FrameDecoder` and reports
// exactly the same events for the same bytes and the same idle points (two documented limits
// below: ring overflow, and a third idle period during one flush):
//
//   * hunting: bytes other than SOF are discarded;
//   * header: a bad HCRC discards only the SOF byte, silently; a LEN above MAX_PAYLOAD discards
//     only the SOF byte and reports BAD_LENGTH with the (intact) SEQ and OPC;
//   * frame: a bad FCRC reports BAD_CRC with SEQ and OPC and discards only the SOF byte; a good one
//     reports the frame (frame_ok_o) and consumes all of it;
//   * idle: IDLE_BYTES byte times without a byte give up any incomplete candidate as truncated
//     (no report), again discarding only its SOF byte.
//
// After every discard of a SOF byte the hunt resumes at the byte after it, *including bytes that
// were already received* (a frame hidden behind a truncated or corrupted one is found).
//
// Replay ring
// -----------
// Every received byte is written, in order, into a ring RAM (byte_ram, RingDepth = the power of
// two >= MAX_FRAME, i.e. 2048 bytes). Three free-running pointers, one bit wider than the ring address
// so that "full" and "empty" differ, describe the buffer like the Python decoder's `buf`/`pos`:
//
//   sof_q  - oldest byte still needed: the SOF of the current candidate (or, while hunting, the
//            next byte to look at). Bytes before it are discarded.
//   scan_q - next byte the parser will look at (sof_q <= scan_q <= wr_q).
//   wr_q   - next free slot; bytes in [sof_q, wr_q) are held.
//
// The parser reads the ring at scan_q (synchronous RAM, so 2 clocks per byte) and keeps only
// running state (header fields, CRC registers, payload count). Any failure sets
// scan_q = sof_q = sof_q + 1 and returns to hunting: the bytes after the failed SOF are simply
// read again from the ring. A good frame stays in the ring while it waits for frame_ack_i; its
// payload is read in place through pl_raddr_i, so there is no second payload buffer.
//
// A candidate is never longer than MAX_FRAME bytes and the parser only stalls (scan_q == wr_q)
// while a candidate is incomplete, so the held bytes fit in the ring whenever the parser keeps up.
// The parser (0.5 byte/clock) is far faster than the line (one byte per 10 * CLKS_PER_BIT clocks);
// only long rescans or a long wait for frame_ack_i let held bytes pile up.
//
// Back-pressure: there is none towards the line. While a good frame waits for frame_ack_i, bytes
// that keep arriving are still stored behind it (up to RingDepth held bytes in all, i.e. at least
// RingDepth - MAX_FRAME = 1013 more), and are parsed after the acknowledgement. A byte that
// arrives when the ring is full is dropped and overflow_o pulses; the Python model knows no such
// limit, so after an overflow the two can differ. The host protocol is request/response, so a
// well-behaved host never sends a second request before it has the first one's answer.
//
// Idle timeout
// ------------
// frame_rx counts clocks since the last received byte itself (10 * CLKS_PER_BIT clocks per 8N1
// byte time). When IDLE_BYTES byte times pass without a byte, the current write pointer is taken
// as an idle mark: every byte before the mark is then scanned in "flush" mode, where a candidate
// that would need a byte beyond the mark is truncated (SOF dropped, rescan), exactly like
// `FrameDecoder.idle()` after `feed()` of those bytes. Bytes that arrive after the mark wait until
// the flush is done. One further mark is queued if the line goes idle again during a flush; a
// third idle period before the first flush ends (which needs pathological input: many nested
// long-header candidates, hundreds of byte times of rescanning) merges into the queued mark.
//
// Payload read port: pl_rdata_o is payload byte pl_raddr_i of the pending frame one clock after
// pl_raddr_i is presented (1-cycle latency, like a block RAM). Addresses >= len_o, and reads while
// no frame is pending, return 8'h00.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module frame_rx
  import hil_protocol_pkg::*;
#(
  parameter int unsigned CLKS_PER_BIT = 8
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Byte stream in (from uart_rx); no back-pressure, see above
  input  logic [7:0]  rx_data_i,
  input  logic        rx_valid_i,
  // Good frame: one-cycle frame_ok_o; seq_o/opcode_o/len_o/crc_o hold until the next event, and
  // the payload stays readable while frame_pending_o is high, i.e. until frame_ack_i
  output logic        frame_ok_o,
  output logic        frame_pending_o,
  output logic [7:0]  seq_o,
  output logic [7:0]  opcode_o,
  output logic [15:0] len_o,
  output logic [31:0] crc_o,           // the frame's FCRC (for the chip's retry cache)
  input  logic [15:0] pl_raddr_i,
  output logic [7:0]  pl_rdata_o,
  input  logic        frame_ack_i,
  // Rejected frame with an intact header: one-cycle frame_bad_o, with seq_o/opcode_o and
  // bad_status_o = ST_BAD_CRC or ST_BAD_LENGTH (len_o then holds the claimed LEN)
  output logic        frame_bad_o,
  output status_e     bad_status_o,
  // Diagnostics: a byte dropped because the ring was full (one-cycle strobe); nothing held and
  // nothing left to scan (level)
  output logic        overflow_o,
  output logic        idle_o
);

  // ---------------------------------------------------------------------------------------------
  // Parameters
  // ---------------------------------------------------------------------------------------------

  localparam int unsigned RingAw = $clog2(MAX_FRAME);
  localparam int unsigned RingDepth = 2 ** RingAw;
  localparam int unsigned PtrW = RingAw + 1;
  localparam int unsigned IdleCycles = IDLE_BYTES * 10 * CLKS_PER_BIT;  // 8N1: 10 bits per byte
  localparam int unsigned IdleW = $clog2(IdleCycles + 1);
  localparam logic [IdleW-1:0] IdleLast = IdleW'(IdleCycles - 1);
  localparam logic [15:0] MaxLen = 16'(MAX_PAYLOAD);

  if (RingDepth < MAX_FRAME) begin : gen_ring_check
    $error("frame_rx: the replay ring must hold a whole frame");
  end
  if (CLKS_PER_BIT < 1) begin : gen_param_check
    $error("frame_rx: CLKS_PER_BIT must be at least 1");
  end

  typedef enum logic [2:0] {
    StHunt,
    StHeader,
    StPayload,
    StTrailer,
    StHold
  } rx_state_e;

  // ---------------------------------------------------------------------------------------------
  // Signals
  // ---------------------------------------------------------------------------------------------

  rx_state_e        state_d, state_q;
  logic [PtrW-1:0]  wr_d, wr_q;
  logic [PtrW-1:0]  sof_d, sof_q;
  logic [PtrW-1:0]  scan_d, scan_q;
  logic             rd_pend_d, rd_pend_q;    // ring read of scan_q issued last cycle
  logic [2:0]       idx_d, idx_q;            // header byte 1..5, trailer byte 0..3
  logic [15:0]      cnt_d, cnt_q;            // payload bytes still to come
  logic [15:0]      len_d, len_q;
  logic [7:0]       seq_d, seq_q;
  logic [7:0]       opc_d, opc_q;
  logic [7:0]       hcrc_d, hcrc_q;
  logic [31:0]      fcrc_d, fcrc_q;
  logic [23:0]      rcrc_d, rcrc_q;          // first three FCRC bytes as received
  logic             flush_d, flush_q;        // scanning up to an idle mark
  logic [PtrW-1:0]  flush_end_d, flush_end_q;
  logic             mark_d, mark_q;          // a further idle mark is queued
  logic [PtrW-1:0]  mark_end_d, mark_end_q;
  logic [IdleW-1:0] idle_cnt_d, idle_cnt_q;
  logic             idle_armed_d, idle_armed_q;
  logic             ok_d, ok_q;
  logic             bad_d, bad_q;
  status_e          bad_status_d, bad_status_q;
  logic [7:0]       out_seq_d, out_seq_q;
  logic [7:0]       out_opc_d, out_opc_q;
  logic [15:0]      out_len_d, out_len_q;
  logic [31:0]      out_crc_d, out_crc_q;
  logic             ovf_q;
  logic             pl_valid_q;

  logic [PtrW-1:0]   held, limit;
  logic              full, we, avail, fail, idle_evt, holding;
  logic [RingAw-1:0] ring_raddr;
  logic [7:0]        ring_rdata, b;

  // ---------------------------------------------------------------------------------------------
  // Replay ring
  // ---------------------------------------------------------------------------------------------

  assign held    = wr_q - sof_q;
  assign full    = held[PtrW-1];  // held == RingDepth
  assign we      = rx_valid_i && !full;
  assign wr_d    = wr_q + {{(PtrW - 1){1'b0}}, we};
  assign holding = (state_q == StHold);

  // The scanner and the payload port share the ring's read port: the scanner is stalled while a
  // frame is pending, and the payload port is only meaningful then.
  assign ring_raddr = holding
      ? (sof_q[RingAw-1:0] + RingAw'(HEADER_BYTES) + pl_raddr_i[RingAw-1:0])
      : scan_q[RingAw-1:0];

  byte_ram #(
    .DEPTH(RingDepth)
  ) u_ring (
    .clk_i,
    .we_i   (we),
    .waddr_i(wr_q[RingAw-1:0]),
    .wdata_i(rx_data_i),
    .raddr_i(ring_raddr),
    .rdata_o(ring_rdata)
  );

  assign b = ring_rdata;

  // Bytes up to an idle mark are scanned first; later ones wait until the flush is over.
  assign limit = flush_q ? flush_end_q : wr_q;
  assign avail = (scan_q != limit);

  // ---------------------------------------------------------------------------------------------
  // Idle timer: one event per silence of IDLE_BYTES byte times
  // ---------------------------------------------------------------------------------------------

  always_comb begin
    idle_cnt_d   = idle_cnt_q;
    idle_armed_d = idle_armed_q;
    idle_evt     = 1'b0;
    if (rx_valid_i) begin
      idle_cnt_d   = '0;
      idle_armed_d = 1'b1;
    end else if (idle_armed_q) begin
      if (idle_cnt_q == IdleLast) begin
        idle_evt     = 1'b1;
        idle_armed_d = 1'b0;
      end else begin
        idle_cnt_d = idle_cnt_q + 1'b1;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Parser
  // ---------------------------------------------------------------------------------------------

  always_comb begin
    state_d      = state_q;
    sof_d        = sof_q;
    scan_d       = scan_q;
    rd_pend_d    = 1'b0;
    idx_d        = idx_q;
    cnt_d        = cnt_q;
    len_d        = len_q;
    seq_d        = seq_q;
    opc_d        = opc_q;
    hcrc_d       = hcrc_q;
    fcrc_d       = fcrc_q;
    rcrc_d       = rcrc_q;
    flush_d      = flush_q;
    flush_end_d  = flush_end_q;
    mark_d       = mark_q;
    mark_end_d   = mark_end_q;
    ok_d         = 1'b0;
    bad_d        = 1'b0;
    bad_status_d = bad_status_q;
    out_seq_d    = out_seq_q;
    out_opc_d    = out_opc_q;
    out_len_d    = out_len_q;
    out_crc_d    = out_crc_q;
    fail         = 1'b0;

    if (holding) begin
      // A good frame waits in the ring; on acknowledgement drop it and hunt after it.
      if (frame_ack_i) begin
        state_d = StHunt;
        sof_d   = scan_q;
      end
    end else if (rd_pend_q) begin
      // Byte b (at scan_q) is on the RAM output: process it.
      scan_d = scan_q + 1'b1;
      unique case (state_q)
        // Looking for SOF; anything else is garbage.
        StHunt: begin
          if (b == SOF) begin
            state_d = StHeader;
            sof_d   = scan_q;
            idx_d   = 3'd1;
            hcrc_d  = hcrc_update(HCRC_INIT_REG, b);
            fcrc_d  = fcrc_update(FCRC_INIT_REG, b);
          end else begin
            sof_d = scan_q + 1'b1;
          end
        end

        // LEN (2), SEQ, OPC, then HCRC over SOF..OPC; LEN is checked once the header is intact.
        StHeader: begin
          hcrc_d = hcrc_update(hcrc_q, b);
          fcrc_d = fcrc_update(fcrc_q, b);
          idx_d  = idx_q + 3'd1;
          unique case (idx_q)
            3'd1: len_d[7:0] = b;
            3'd2: len_d[15:8] = b;
            3'd3: seq_d = b;
            3'd4: opc_d = b;
            default: begin
              if (b != (hcrc_q ^ HCRC_XOROUT)) begin
                fail = 1'b1;  // bad header CRC: nothing is reported
              end else if (len_q > MaxLen) begin
                fail         = 1'b1;
                bad_d        = 1'b1;
                bad_status_d = ST_BAD_LENGTH;
                out_seq_d    = seq_q;
                out_opc_d    = opc_q;
                out_len_d    = len_q;
              end else begin
                idx_d   = 3'd0;
                cnt_d   = len_q;
                state_d = (len_q == 16'd0) ? StTrailer : StPayload;
              end
            end
          endcase
        end

        // Payload bytes stay in the ring; only the frame CRC runs over them.
        StPayload: begin
          fcrc_d = fcrc_update(fcrc_q, b);
          cnt_d  = cnt_q - 16'd1;
          if (cnt_q == 16'd1) begin
            state_d = StTrailer;
            idx_d   = 3'd0;
          end
        end

        // FCRC, little-endian; compare on its last byte.
        StTrailer: begin
          if (idx_q == 3'd3) begin
            out_seq_d = seq_q;
            out_opc_d = opc_q;
            out_len_d = len_q;
            out_crc_d = {b, rcrc_q};
            if ({b, rcrc_q} == (fcrc_q ^ FCRC_XOROUT)) begin
              ok_d    = 1'b1;
              state_d = StHold;
            end else begin
              fail         = 1'b1;
              bad_d        = 1'b1;
              bad_status_d = ST_BAD_CRC;
            end
          end else begin
            rcrc_d = {b, rcrc_q[23:8]};
            idx_d  = idx_q + 3'd1;
          end
        end

        default: state_d = StHunt;
      endcase
    end else if (avail) begin
      // Issue the ring read of the next byte.
      rd_pend_d = 1'b1;
    end else if (flush_q) begin
      // Reached the idle mark with nothing more to read.
      if (state_q == StHunt) begin
        // Everything before the mark is scanned: the flush is over (start a queued one).
        if (mark_q) begin
          flush_end_d = mark_end_q;
          mark_d      = 1'b0;
        end else begin
          flush_d = 1'b0;
        end
      end else begin
        fail = 1'b1;  // an incomplete candidate at the idle mark: truncated, nothing reported
      end
    end

    // Any failure drops only the SOF byte and rescans from the byte after it.
    if (fail) begin
      state_d = StHunt;
      sof_d   = sof_q + 1'b1;
      scan_d  = sof_q + 1'b1;
    end

    // A new idle mark covers every byte received so far.
    if (idle_evt) begin
      if (!flush_d) begin
        flush_d     = 1'b1;
        flush_end_d = wr_q;
      end else begin
        mark_d     = 1'b1;
        mark_end_d = wr_q;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------------

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StHunt;
      wr_q         <= '0;
      sof_q        <= '0;
      scan_q       <= '0;
      rd_pend_q    <= 1'b0;
      idx_q        <= 3'd0;
      cnt_q        <= 16'd0;
      len_q        <= 16'd0;
      seq_q        <= 8'h00;
      opc_q        <= 8'h00;
      hcrc_q       <= HCRC_INIT_REG;
      fcrc_q       <= FCRC_INIT_REG;
      rcrc_q       <= 24'h0;
      flush_q      <= 1'b0;
      flush_end_q  <= '0;
      mark_q       <= 1'b0;
      mark_end_q   <= '0;
      idle_cnt_q   <= '0;
      idle_armed_q <= 1'b0;
      ok_q         <= 1'b0;
      bad_q        <= 1'b0;
      bad_status_q <= ST_BAD_CRC;
      out_seq_q    <= 8'h00;
      out_opc_q    <= 8'h00;
      out_len_q    <= 16'd0;
      out_crc_q    <= 32'h0;
      ovf_q        <= 1'b0;
      pl_valid_q   <= 1'b0;
    end else begin
      state_q      <= state_d;
      wr_q         <= wr_d;
      sof_q        <= sof_d;
      scan_q       <= scan_d;
      rd_pend_q    <= rd_pend_d;
      idx_q        <= idx_d;
      cnt_q        <= cnt_d;
      len_q        <= len_d;
      seq_q        <= seq_d;
      opc_q        <= opc_d;
      hcrc_q       <= hcrc_d;
      fcrc_q       <= fcrc_d;
      rcrc_q       <= rcrc_d;
      flush_q      <= flush_d;
      flush_end_q  <= flush_end_d;
      mark_q       <= mark_d;
      mark_end_q   <= mark_end_d;
      idle_cnt_q   <= idle_cnt_d;
      idle_armed_q <= idle_armed_d;
      ok_q         <= ok_d;
      bad_q        <= bad_d;
      bad_status_q <= bad_status_d;
      out_seq_q    <= out_seq_d;
      out_opc_q    <= out_opc_d;
      out_len_q    <= out_len_d;
      out_crc_q    <= out_crc_d;
      ovf_q        <= rx_valid_i && full;
      pl_valid_q   <= holding && (pl_raddr_i < out_len_q);
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Outputs
  // ---------------------------------------------------------------------------------------------

  assign frame_ok_o      = ok_q;
  assign frame_pending_o = holding;
  assign seq_o           = out_seq_q;
  assign opcode_o        = out_opc_q;
  assign len_o           = out_len_q;
  assign crc_o           = out_crc_q;
  assign pl_rdata_o      = pl_valid_q ? ring_rdata : 8'h00;
  assign frame_bad_o     = bad_q;
  assign bad_status_o    = bad_status_q;
  assign overflow_o      = ovf_q;
  assign idle_o          = (state_q == StHunt) && !rd_pend_q && (scan_q == wr_q) && !flush_q
                           && !mark_q;

endmodule
/* verilator lint_on MULTITOP */
