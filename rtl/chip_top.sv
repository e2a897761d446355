// The RTL chip: uart_rx -> line_noise -> frame_rx -> cmd_exec -> frame_tx -> uart_tx
// (rtl/DESIGN.md).
//
// BYTE_LINK = 1 (simulation bridges) leaves out the two UARTs: received bytes enter at
// link_rx_data_i / link_rx_valid_i (at most one per clock; the host keeps to request/response,
// so frame_rx's ring always holds the frame) and response bytes leave at link_tx_data_o /
// link_tx_valid_o under link_tx_ready_i (valid/ready). The wire protocol is unchanged; only the
// clocks a byte costs are (1 instead of 10 * CLKS_PER_BIT). CLKS_PER_BIT still sets frame_rx's
// idle timeout (IDLE_BYTES byte times of 10 * CLKS_PER_BIT clocks). With BYTE_LINK = 0 the link
// inputs are ignored and uart_rx_i / uart_tx_o carry the line; with 1, uart_rx_i is ignored
// and uart_tx_o idles high.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module chip_top
  import hil_protocol_pkg::*;
#(
  parameter int unsigned ROWS = 64,
  parameter int unsigned COLS = 128,
  parameter int unsigned CLKS_PER_BIT = 8,
  parameter bit          BYTE_LINK = 1'b0
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // Lint waiver: one of the two links is unused in each configuration (see above).
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic       uart_rx_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic       uart_tx_o,
  // Byte link (BYTE_LINK = 1 only)
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [7:0] link_rx_data_i,
  input  logic       link_rx_valid_i,
  input  logic       link_tx_ready_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [7:0] link_tx_data_o,
  output logic       link_tx_valid_o
);

  logic [7:0]  rx_data, line_data;
  logic        rx_valid, line_valid;
  logic [31:0] line_noise_ppm;
  logic        frame_pending, frame_ack, frame_bad;
  logic [7:0]  seq, opcode, pl_rdata;
  logic [15:0] len, pl_raddr;
  logic [31:0] crc;
  status_e     bad_status;
  logic        tx_start, tx_done;
  logic [7:0]  tx_seq, tx_opcode, tx_pl_rdata, tx_data;
  logic [15:0] tx_len, tx_pl_raddr;
  logic        tx_valid, tx_ready;

  // Diagnostics this slice does not use (framing errors, frame_ok strobe, ring overflow, idle,
  // frame_tx busy, the reset walker's ready flag).
  /* verilator lint_off UNUSEDSIGNAL */
  logic        rx_frame_err, frame_ok, overflow, rx_idle, tx_busy, core_ready;
  /* verilator lint_on UNUSEDSIGNAL */

  if (BYTE_LINK) begin : g_link_rx
    assign rx_data      = link_rx_data_i;
    assign rx_valid     = link_rx_valid_i;
    assign rx_frame_err = 1'b0;
  end else begin : g_uart_rx
    uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_uart_rx (
      .clk_i,
      .rst_ni,
      .rx_i          (uart_rx_i),
      .rx_data_o     (rx_data),
      .rx_valid_o    (rx_valid),
      .rx_frame_err_o(rx_frame_err)
    );
  end

  // FAULT_INJECT LINE_NOISE (off unless injected)
  line_noise u_line_noise (
    .clk_i,
    .rst_ni,
    .ppm_i  (line_noise_ppm),
    .data_i (rx_data),
    .valid_i(rx_valid),
    .data_o (line_data),
    .valid_o(line_valid)
  );

  frame_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_frame_rx (
    .clk_i,
    .rst_ni,
    .rx_data_i      (line_data),
    .rx_valid_i     (line_valid),
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
    .idle_o         (rx_idle)
  );

  cmd_exec #(.ROWS(ROWS), .COLS(COLS)) u_cmd_exec (
    .clk_i,
    .rst_ni,
    .frame_pending_i(frame_pending),
    .seq_i          (seq),
    .opcode_i       (opcode),
    .len_i          (len),
    .crc_i          (crc),
    .pl_raddr_o     (pl_raddr),
    .pl_rdata_i     (pl_rdata),
    .frame_ack_o    (frame_ack),
    .frame_bad_i    (frame_bad),
    .bad_status_i   (bad_status),
    .tx_start_o     (tx_start),
    .tx_seq_o       (tx_seq),
    .tx_opcode_o    (tx_opcode),
    .tx_len_o       (tx_len),
    .tx_done_i      (tx_done),
    .tx_raddr_i     (tx_pl_raddr),
    .tx_rdata_o     (tx_pl_rdata),
    .line_noise_ppm_o(line_noise_ppm),
    .ready_o        (core_ready)
  );

  frame_tx u_frame_tx (
    .clk_i,
    .rst_ni,
    .start_i   (tx_start),
    .seq_i     (tx_seq),
    .opcode_i  (tx_opcode),
    .len_i     (tx_len),
    .busy_o    (tx_busy),
    .done_o    (tx_done),
    .pl_raddr_o(tx_pl_raddr),
    .pl_rdata_i(tx_pl_rdata),
    .tx_data_o (tx_data),
    .tx_valid_o(tx_valid),
    .tx_ready_i(tx_ready)
  );

  if (BYTE_LINK) begin : g_link_tx
    assign link_tx_data_o  = tx_data;
    assign link_tx_valid_o = tx_valid;
    assign tx_ready        = link_tx_ready_i;
    assign uart_tx_o       = 1'b1;
  end else begin : g_uart_tx
    assign link_tx_data_o  = 8'h00;
    assign link_tx_valid_o = 1'b0;
    uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_uart_tx (
      .clk_i,
      .rst_ni,
      .tx_data_i (tx_data),
      .tx_valid_i(tx_valid),
      .tx_ready_o(tx_ready),
      .tx_o      (uart_tx_o)
    );
  end

endmodule
