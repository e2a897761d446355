// The RTL chip as the bridges serve it (hil/rtl/chip_link.py): bytes from the host are queued by
// cocotb into a FIFO (up to LANES per clock) and reach the chip one of two ways (parameter
// BYTE_LINK, passed on to chip_top):
// - BYTE_LINK = 0 (uart): a host-side UART transmitter sends them over the chip's real 8N1 line
//   at CLKS_PER_BIT clocks per bit, and the chip's line is decoded by a host-side UART receiver
//   (10 * CLKS_PER_BIT clocks per byte each way); every received byte is one out_valid_o pulse
//   with out_count_o = 1;
// - BYTE_LINK = 1 (byte): chip_top's byte link without its UARTs, one byte per clock each way.
//   Received bytes are packed LANES to a word: one out_valid_o pulse per full word, or for a
//   partial word once the chip has sent nothing for FLUSH_IDLE clocks (a response's end), so
//   that cocotb wakes once per LANES bytes. Two pulses are always at least two clocks apart
//   (a rising edge each).
// The bytes and frames on the wire are the same either way; only the clocks a byte costs differ.
// The UART bits are simulated in C++; Python only handles whole bytes. The clock runs in HDL
// (10 ns) so that Python can let time pass with one Timer.
`timescale 1ns / 1ps

module sim_chip #(
  parameter int unsigned ROWS = 64,
  parameter int unsigned COLS = 128,
  parameter int unsigned CLKS_PER_BIT = 4,
  parameter int unsigned FIFO_DEPTH = 4096,
  parameter int unsigned LANES = 8,
  parameter bit          BYTE_LINK = 1'b0
) (
  input  logic                         rst_ni,
  input  logic [8*LANES-1:0]           in_data_i,
  input  logic [$clog2(LANES):0]       in_count_i,
  output logic [$clog2(FIFO_DEPTH):0]  in_level_o,
  output logic                         in_busy_o,
  output logic [8*LANES-1:0]           out_data_o,
  output logic [$clog2(LANES):0]       out_count_o,
  output logic                         out_valid_o
);

  localparam int unsigned CW = $clog2(LANES) + 1;
  localparam int unsigned FLUSH_IDLE = 3;

  logic clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;

  logic [7:0] src_data, link_tx_data;
  logic       src_valid, src_ready, line_in, line_out, link_tx_valid;

  sim_byte_fifo #(.DEPTH(FIFO_DEPTH), .LANES(LANES)) u_src (
    .clk_i      (clk),
    .rst_ni,
    .in_data_i,
    .in_count_i,
    .out_data_o (src_data),
    .out_valid_o(src_valid),
    .out_ready_i(src_ready),
    .level_o    (in_level_o)
  );

  chip_top #(
    .ROWS(ROWS), .COLS(COLS), .CLKS_PER_BIT(CLKS_PER_BIT), .BYTE_LINK(BYTE_LINK)
  ) u_chip (
    .clk_i          (clk),
    .rst_ni,
    .uart_rx_i      (line_in),
    .uart_tx_o      (line_out),
    .link_rx_data_i (src_data),
    .link_rx_valid_i(src_valid && BYTE_LINK),
    .link_tx_ready_i(1'b1),
    .link_tx_data_o (link_tx_data),
    .link_tx_valid_o(link_tx_valid)
  );

  if (BYTE_LINK) begin : g_byte
    logic [8*LANES-1:0] pack_q, word;
    logic [CW-1:0]      n_q, n_next;
    logic [1:0]         idle_q;
    logic               flush;

    always_comb begin
      word = pack_q;
      if (link_tx_valid) begin
        word[8*n_q[CW-2:0]+:8] = link_tx_data;
      end
    end
    assign n_next = n_q + CW'(link_tx_valid);
    assign flush  = (n_next == CW'(LANES))
                 || (!link_tx_valid && n_q != '0 && idle_q == 2'(FLUSH_IDLE));

    always_ff @(posedge clk or negedge rst_ni) begin
      if (!rst_ni) begin
        pack_q      <= '0;
        n_q         <= '0;
        idle_q      <= '0;
        out_data_o  <= '0;
        out_count_o <= '0;
        out_valid_o <= 1'b0;
      end else begin
        out_valid_o <= flush;
        if (flush) begin
          out_data_o  <= word;
          out_count_o <= n_next;
          n_q         <= '0;
        end else begin
          pack_q <= word;
          n_q    <= n_next;
        end
        if (link_tx_valid) begin
          idle_q <= '0;
        end else if (idle_q != 2'(FLUSH_IDLE)) begin
          idle_q <= idle_q + 1'b1;
        end
      end
    end

    assign src_ready = 1'b1;
    assign line_in   = 1'b1;
    assign in_busy_o = src_valid;
  end else begin : g_uart
    logic       tx_ready;
    logic [7:0] rx_data;

    uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_host_tx (
      .clk_i     (clk),
      .rst_ni,
      .tx_data_i (src_data),
      .tx_valid_i(src_valid),
      .tx_ready_o(tx_ready),
      .tx_o      (line_in)
    );

    uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_host_rx (
      .clk_i         (clk),
      .rst_ni,
      .rx_i          (line_out),
      .rx_data_o     (rx_data),
      .rx_valid_o    (out_valid_o),
      .rx_frame_err_o()
    );

    assign out_data_o  = {{(8*LANES-8){1'b0}}, rx_data};
    assign out_count_o = CW'(1);
    assign src_ready   = tx_ready;
    assign in_busy_o   = src_valid || !tx_ready;
  end

endmodule
