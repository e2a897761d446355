// frame_rx bench. Bytes queued by cocotb (one per clock) reach frame_rx either over a real line
// (uart_tx -> uart_rx, 10 * CLKS_PER_BIT clocks per byte) or, with direct_i, straight into its
// byte input, one byte every gap_i + 1 clocks (stresses the replay ring: the line outruns rescans).
//
// Each frame_rx event is published as one increment of ev_count_o with its fields. A good frame is
// left pending for ack_delay_i clocks (bytes keep arriving meanwhile), then its payload is copied
// out of frame_rx (bytes 0..len-1 into ev_payload_o, plus the read at address len into ev_oob_o,
// which must be 0) and acknowledged, and the event is published.
`timescale 1ns / 1ps

module tb_frame_rx
  import hil_protocol_pkg::*;
#(
  parameter int unsigned CLKS_PER_BIT = 8
) (
  input  logic                     rst_ni,
  // Byte source
  input  logic [7:0]               in_data_i,
  input  logic                     in_valid_i,
  input  logic                     direct_i,
  input  logic [15:0]              gap_i,
  output logic                     src_busy_o,
  // Acknowledge policy
  input  logic [15:0]              ack_delay_i,
  // Events
  output logic [15:0]              ev_count_o,
  output logic                     ev_ok_o,
  output logic [7:0]               ev_status_o,
  output logic [7:0]               ev_seq_o,
  output logic [7:0]               ev_opc_o,
  output logic [15:0]              ev_len_o,
  output logic [31:0]              ev_crc_o,
  output logic [8*MAX_PAYLOAD-1:0] ev_payload_o,
  output logic [7:0]               ev_oob_o,
  output logic [15:0]              ovf_count_o,
  output logic                     rx_idle_o
);

  logic clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;

  // ---- source: FIFO -> (UART line | paced direct) -> frame_rx byte input ----
  logic [7:0]  src_data, rx_data, urx_data;
  logic        src_valid, src_ready, src_empty, tx_ready, line, urx_valid, rx_valid;
  logic [15:0] gap_q;

  tb_byte_src u_src (
    .clk_i      (clk),
    .rst_ni,
    .in_data_i,
    .in_valid_i,
    .out_data_o (src_data),
    .out_valid_o(src_valid),
    .out_ready_i(src_ready),
    .empty_o    (src_empty)
  );

  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
    .clk_i     (clk),
    .rst_ni,
    .tx_data_i (src_data),
    .tx_valid_i(src_valid && !direct_i),
    .tx_ready_o(tx_ready),
    .tx_o      (line)
  );

  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_urx (
    .clk_i         (clk),
    .rst_ni,
    .rx_i          (line),
    .rx_data_o     (urx_data),
    .rx_valid_o    (urx_valid),
    .rx_frame_err_o()  // framing errors are the UART bench's business
  );

  assign src_ready = direct_i ? (gap_q == 16'd0) : tx_ready;

  always_ff @(posedge clk or negedge rst_ni) begin
    if (!rst_ni) begin
      gap_q <= 16'd0;
    end else if (direct_i && src_valid && src_ready) begin
      gap_q <= gap_i;
    end else if (gap_q != 16'd0) begin
      gap_q <= gap_q - 16'd1;
    end
  end

  assign rx_data  = direct_i ? src_data : urx_data;
  assign rx_valid = direct_i ? (src_valid && src_ready) : urx_valid;
  assign src_busy_o = !src_empty || (!direct_i && !tx_ready);

  // ---- DUT ----
  logic        frame_ok, frame_pending, frame_bad, frame_ack, overflow;
  logic [7:0]  seq, opcode, pl_rdata;
  logic [15:0] len, pl_raddr;
  logic [31:0] crc;
  status_e     bad_status;

  frame_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_dut (
    .clk_i          (clk),
    .rst_ni,
    .rx_data_i      (rx_data),
    .rx_valid_i     (rx_valid),
    .frame_ok_o     (frame_ok),
    .frame_pending_o(frame_pending),
    .seq_o          (seq),
    .opcode_o       (opcode),
    .len_o          (len),
    .crc_o          (crc),
    .pl_raddr_i     (pl_raddr),
    .pl_rdata_o     (pl_rdata),
    .frame_ack_i    (frame_ack),
    .frame_bad_o    (frame_bad),
    .bad_status_o   (bad_status),
    .overflow_o     (overflow),
    .idle_o         (rx_idle_o)
  );

  // ---- consumer: wait ack_delay_i, copy the payload, publish the event, acknowledge ----
  typedef enum logic [1:0] {CIdle, CWait, CCopy} cons_e;
  cons_e       cstate;
  logic [15:0] addr, wait_cnt;
  logic        last_byte;

  assign pl_raddr  = addr;
  assign last_byte = (cstate == CCopy) && (addr != 16'd0) && (addr - 16'd1 == len);
  assign frame_ack = last_byte;

  always_ff @(posedge clk or negedge rst_ni) begin
    if (!rst_ni) begin
      cstate       <= CIdle;
      addr         <= 16'd0;
      wait_cnt     <= 16'd0;
      ev_count_o   <= 16'd0;
      ev_ok_o      <= 1'b0;
      ev_status_o  <= 8'h00;
      ev_seq_o     <= 8'h00;
      ev_opc_o     <= 8'h00;
      ev_len_o     <= 16'd0;
      ev_crc_o     <= 32'h0;
      ev_oob_o     <= 8'h00;
      ovf_count_o  <= 16'd0;
    end else begin
      if (overflow) begin
        ovf_count_o <= ovf_count_o + 16'd1;
      end
      if (frame_ack && !frame_pending) begin
        $error("frame_ack with no frame pending");
      end
      unique case (cstate)
        CIdle: begin
          if (frame_bad) begin
            ev_ok_o     <= 1'b0;
            ev_status_o <= bad_status;
            ev_seq_o    <= seq;
            ev_opc_o    <= opcode;
            ev_len_o    <= len;
            ev_count_o  <= ev_count_o + 16'd1;
          end
          if (frame_ok) begin
            cstate   <= CWait;
            wait_cnt <= ack_delay_i;
          end
        end
        // The frame stays pending (bytes keep arriving) before the payload is even read.
        CWait: begin
          if (wait_cnt == 16'd0) begin
            cstate <= CCopy;
            addr   <= 16'd0;
          end else begin
            wait_cnt <= wait_cnt - 16'd1;
          end
        end
        // Address a is presented in one cycle, its byte arrives in the next; the read at
        // address len (beyond the payload) must return 0. The ack goes with the last byte.
        CCopy: begin
          addr <= addr + 16'd1;
          if (addr != 16'd0 && addr - 16'd1 < 16'(MAX_PAYLOAD)) begin
            ev_payload_o[8*(addr - 16'd1) +: 8] <= pl_rdata;
          end
          if (last_byte) begin
            ev_oob_o    <= pl_rdata;
            ev_ok_o     <= 1'b1;
            ev_status_o <= 8'h00;
            ev_seq_o    <= seq;
            ev_opc_o    <= opcode;
            ev_len_o    <= len;
            ev_crc_o    <= crc;
            ev_count_o  <= ev_count_o + 16'd1;
            cstate      <= CIdle;
          end
        end
        default: cstate <= CIdle;
      endcase
    end
  end

endmodule
